"""Added cost per Anthropic call: uninstrumented vs ours vs opentelemetry-instrumentation-anthropic (OpenLLMetry).

Run (the peer is installed only for this run):
    uv run --with opentelemetry-instrumentation-anthropic python benchmarks/bench_anthropic.py [--quick]

The client talks to an in-process transport serving recorded responses (no network), so the figure is the
client's own cost plus the instrumentation's (CPU time, interleaved rounds: see _harness.py, which also
checks that every instrumented mode really exported a span per call). Memory: traced heap over 100k calls.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from pathlib import Path
from typing import Any

import anthropic
import httpx2

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Mode, Providers, instrumented_modes, measure, memory_growth, save, table
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor

from huggingplace_sdk.testing import cassette_path, decoded_body, load_cassette, recorded_request_json

# The recorded models are deprecated: the SDK would warn on every call and time the warnings machinery.
warnings.filterwarnings("ignore", category=DeprecationWarning, module="anthropic")
warnings.filterwarnings("ignore", message="The model .* is deprecated")

PLAIN = load_cassette(cassette_path("anthropic", "test_messages__test_anthropic_message_create_legacy"))[0]
STREAMED = load_cassette(cassette_path("anthropic", "test_messages__test_anthropic_message_streaming_legacy"))[0]
BODIES = {id(PLAIN): decoded_body(PLAIN), id(STREAMED): decoded_body(STREAMED)}
ASK = recorded_request_json(PLAIN)
ASK_STREAM = recorded_request_json(STREAMED)


def _respond(request: httpx2.Request) -> httpx2.Response:
    recorded = STREAMED if b'"stream":true' in request.content.replace(b" ", b"") else PLAIN
    headers = {"content-type": recorded.response.header("content-type") or "application/json"}
    return httpx2.Response(recorded.response.status, headers=headers, content=BODIES[id(recorded)])


def _clients() -> tuple[anthropic.Anthropic, anthropic.AsyncAnthropic]:
    sync = anthropic.Anthropic(api_key="sk-ant-bench", base_url="http://bench.local",
                               http_client=httpx2.Client(transport=httpx2.MockTransport(_respond)))

    async def respond_async(request: httpx2.Request) -> httpx2.Response:
        return _respond(request)

    async_client = anthropic.AsyncAnthropic(
        api_key="sk-ant-bench", base_url="http://bench.local",
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(respond_async)))
    return sync, async_client


def _load_peer() -> Any:
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor as Peer

    return Peer()


def _modes(providers: Providers) -> list[Mode]:
    return instrumented_modes(providers, AnthropicInstrumentor(), "openllmetry", _load_peer,
                              "run with --with opentelemetry-instrumentation-anthropic (see docstring)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 10k calls for memory")
    args = parser.parse_args()
    calls, rounds, memory_calls = (100, 5, 10_000) if args.quick else (300, 15, 100_000)
    providers = Providers()
    modes = _modes(providers)
    sync, async_client = _clients()

    def plain() -> Any:
        return sync.messages.create(**ASK)

    def streamed() -> Any:
        return sum(1 for _ in sync.messages.create(**ASK_STREAM))

    def helper() -> Any:
        stream_kwargs = {k: v for k, v in ASK_STREAM.items() if k != "stream"}
        with sync.messages.stream(**stream_kwargs) as stream:
            return stream.get_final_message()

    async def plain_async() -> Any:
        return await async_client.messages.create(**ASK)

    async def streamed_async() -> Any:
        stream = await async_client.messages.create(**ASK_STREAM)
        return len([event async for event in stream])

    rows = {
        "sync, non-streamed": measure(modes, plain, calls=calls, rounds=rounds),
        "sync, streamed": measure(modes, streamed, calls=calls, rounds=rounds),
        "sync, stream() helper": measure(modes, helper, calls=calls, rounds=rounds),
        "async, non-streamed": measure(modes, plain_async, calls=calls, rounds=rounds, is_async=True),
        "async, streamed": measure(modes, streamed_async, calls=calls, rounds=rounds, is_async=True),
    }
    peer = "openllmetry" if any(m.name == "openllmetry" for m in modes) else None
    print(table("Anthropic messages: added cost per call", rows, "uninstrumented", "ours", peer))
    modes[1].enable()
    try:
        heap = memory_growth(plain, total=memory_calls)
    finally:
        modes[1].disable()
    print(f"traced heap after each fifth of {memory_calls} instrumented calls (bytes): {heap}")
    path = save("anthropic", {"rows": rows, "heap_bytes": heap,
                              "memory_calls": memory_calls, "anthropic": anthropic.__version__})
    print(f"saved {path}")
    asyncio.run(async_client.close())


if __name__ == "__main__":
    main()
