"""Added cost per LiteLLM call: uninstrumented vs ours vs openinference-instrumentation-litellm (OpenInference).

Run (the peer is installed only for this run):
    LITELLM_LOCAL_MODEL_COST_MAP=True uv run --with openinference-instrumentation-litellm \
        python benchmarks/bench_litellm.py [--quick]

LiteLLM is routed to OpenAI through an ``openai`` client whose transport serves the recorded responses in
process (no network, no cost-map fetch), so the figure is LiteLLM's own cost plus the instrumentation's (CPU
time, interleaved rounds: see _harness.py, which also checks that every instrumented mode really exported a
span per call). Ours runs with the openai adapter active too, as users run it: the SDK call underneath is
suppressed by the nested-call guard, and that check is part of the measured cost.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import httpx2
import litellm
import openai

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Mode, Providers, instrumented_modes, measure, save, table
from huggingplace_instrumentation_litellm import LiteLLMInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk.testing import cassette_path, decoded_body, load_cassette, recorded_request_json

PLAIN = load_cassette(cassette_path("litellm", "test_token_counts__TestTokenCounts.test_openai"))[0]
STREAMED = load_cassette(cassette_path("openai", "test_chat__test_chat_async_streaming"))[0]
BODIES = {id(PLAIN): decoded_body(PLAIN), id(STREAMED): decoded_body(STREAMED)}
ASK = recorded_request_json(PLAIN)


def _respond(request: httpx2.Request) -> httpx2.Response:
    streamed = b'"stream":true' in request.content.replace(b" ", b"")
    recorded = STREAMED if streamed else PLAIN
    content_type = "text/event-stream" if streamed else "application/json"
    return httpx2.Response(recorded.response.status, headers={"content-type": content_type},
                           content=BODIES[id(recorded)])


def _clients() -> tuple[openai.OpenAI, openai.AsyncOpenAI]:
    async def respond_async(request: httpx2.Request) -> httpx2.Response:
        return _respond(request)

    sync = openai.OpenAI(api_key="sk-bench", base_url="http://bench.local/v1", max_retries=0,
                         http_client=httpx2.Client(transport=httpx2.MockTransport(_respond)))
    async_client = openai.AsyncOpenAI(api_key="sk-bench", base_url="http://bench.local/v1", max_retries=0,
                                      http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(respond_async)))
    return sync, async_client


def _load_peer() -> Any:
    from openinference.instrumentation.litellm import LiteLLMInstrumentor as Peer

    return Peer()


class _OursWithOpenAI:
    """Our LiteLLM adapter with the openai adapter also active (one span per call: LiteLLM's)."""

    def __init__(self) -> None:
        self.parts = [OpenAIInstrumentor(), LiteLLMInstrumentor()]

    def instrument(self, **kwargs: Any) -> None:
        for part in self.parts:
            part.instrument(**kwargs)

    def uninstrument(self) -> None:
        for part in self.parts:
            part.uninstrument()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    calls, rounds = (50, 5) if args.quick else (150, 11)
    providers = Providers()
    modes: list[Mode] = instrumented_modes(
        providers, _OursWithOpenAI(), "openinference", _load_peer,
        "run with --with openinference-instrumentation-litellm (see docstring)")
    sync, async_client = _clients()
    ask = {"model": ASK["model"], "messages": ASK["messages"], "temperature": ASK["temperature"]}
    ask_stream = {"model": "gpt-3.5-turbo", "messages": ASK["messages"], "stream": True}

    def plain() -> Any:
        return litellm.completion(**ask, client=sync)

    def streamed() -> Any:
        return sum(1 for _ in litellm.completion(**ask_stream, client=sync))

    async def plain_async() -> Any:
        return await litellm.acompletion(**ask, client=async_client)

    async def streamed_async() -> Any:
        stream = await litellm.acompletion(**ask_stream, client=async_client)
        return len([chunk async for chunk in stream])

    rows = {
        "sync, non-streamed": measure(modes, plain, calls=calls, rounds=rounds),
        "sync, streamed": measure(modes, streamed, calls=calls, rounds=rounds),
        "async, non-streamed": measure(modes, plain_async, calls=calls, rounds=rounds, is_async=True),
        "async, streamed": measure(modes, streamed_async, calls=calls, rounds=rounds, is_async=True),
    }
    peer = "openinference" if any(m.name == "openinference" for m in modes) else None
    print(table("LiteLLM completion (routed to OpenAI): added cost per call", rows, "uninstrumented", "ours", peer))
    path = save("litellm", {"rows": rows, "litellm": version("litellm")})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
