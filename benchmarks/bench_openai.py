"""Added cost per OpenAI call: uninstrumented vs ours vs opentelemetry-instrumentation-openai-v2.

Run (the peer is installed only for this run):
    uv run --with opentelemetry-instrumentation-openai-v2==2.4b0 --with opentelemetry-util-genai==1.1b0 \
        python benchmarks/bench_openai.py [--quick]

The client talks to an in-process transport serving recorded responses (no network), so the figure is the
client's own cost plus the instrumentation's. Memory: traced heap over 100k instrumented calls.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import openai

sys.path.insert(0, str(Path(__file__).parent))
from _floor import FloorInstrumentor
from _harness import Mode, Providers, instrumented_modes, measure, memory_growth, save, table
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk.testing import cassette_path, decoded_body, load_cassette

PLAIN = load_cassette(cassette_path("openai", "test_chat__test_chat.yaml"))[0]
STREAMED = load_cassette(cassette_path("openai", "test_chat__test_chat_async_streaming.yaml"))[0]
BODIES = {id(PLAIN): decoded_body(PLAIN), id(STREAMED): decoded_body(STREAMED)}
MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]


def _respond(request: httpx2.Request) -> httpx2.Response:
    recorded = STREAMED if b'"stream":true' in request.content.replace(b" ", b"") else PLAIN
    headers = {"content-type": recorded.response.header("content-type") or "application/json"}
    return httpx2.Response(recorded.response.status, headers=headers, content=BODIES[id(recorded)])


def _clients() -> tuple[openai.OpenAI, openai.AsyncOpenAI]:
    sync = openai.OpenAI(api_key="sk-bench", base_url="http://bench.local/v1",
                         http_client=httpx2.Client(transport=httpx2.MockTransport(_respond)))

    async def respond_async(request: httpx2.Request) -> httpx2.Response:
        return _respond(request)

    async_client = openai.AsyncOpenAI(api_key="sk-bench", base_url="http://bench.local/v1",
                                      http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(respond_async)))
    return sync, async_client


def _load_peer() -> Any:
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor as Peer

    return Peer()


def _modes(providers: Providers) -> list[Mode]:
    return instrumented_modes(providers, OpenAIInstrumentor(), "openai-v2", _load_peer,
                              "run with --with opentelemetry-instrumentation-openai-v2 (see docstring)",
                              floor=FloorInstrumentor())


def scenarios(sync: openai.OpenAI, async_client: openai.AsyncOpenAI) -> dict[str, Callable[[], Any]]:
    """The measured calls by name: plain, streamed (26 chunks), and both again on the async client."""

    def plain() -> Any:
        return sync.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)

    def streamed() -> Any:
        return sum(1 for _ in sync.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True))

    async def plain_async() -> Any:
        return await async_client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)

    async def streamed_async() -> Any:
        stream = await async_client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        return len([c async for c in stream])

    return {"plain": plain, "streamed": streamed, "plain_async": plain_async, "streamed_async": streamed_async}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 10k calls for memory")
    args = parser.parse_args()
    calls, rounds, memory_calls = (100, 5, 10_000) if args.quick else (200, 25, 100_000)
    providers = Providers()
    modes = _modes(providers)
    sync, async_client = _clients()
    plain, streamed, plain_async, streamed_async = scenarios(sync, async_client).values()

    rows = {
        "sync, non-streamed": measure(modes, plain, calls=calls, rounds=rounds),
        "sync, streamed": measure(modes, streamed, calls=calls, rounds=rounds),
        "async, non-streamed": measure(modes, plain_async, calls=calls, rounds=rounds, is_async=True),
        "async, streamed": measure(modes, streamed_async, calls=calls, rounds=rounds, is_async=True),
    }
    peer = "openai-v2" if any(m.name == "openai-v2" for m in modes) else None
    print(table("OpenAI chat completions: added cost per call", rows, "uninstrumented", "ours", peer))
    modes[1].enable()
    try:
        heap = memory_growth(plain, total=memory_calls)
    finally:
        modes[1].disable()
    print(f"\ntraced heap after each fifth of {memory_calls} instrumented calls (bytes): {heap}")
    print(f"spans exported: {providers.exporter.count}")
    path = save("openai", {"rows": rows, "heap_bytes": heap, "memory_calls": memory_calls})
    print(f"saved {path}")
    asyncio.run(async_client.close())


if __name__ == "__main__":
    main()
