"""Added cost per call of the groq, ollama and cohere adapters, each against its OpenLLMetry peer, in one run.

Run (the peers are installed only for this run; cohere 5.x because the cohere peer instruments < 6 only):
    uv run --with opentelemetry-instrumentation-groq --with opentelemetry-instrumentation-ollama \\
        --with opentelemetry-instrumentation-cohere --with cohere==5.21.1 \\
        python benchmarks/bench_groq_ollama_cohere.py [--quick]

Each client talks to an in-process ``httpx.MockTransport`` serving a recorded response (no network), so
the figure is the client's own cost plus the instrumentation's (CPU time, interleaved rounds: see
_harness.py, which also checks that every instrumented mode really exported a span per call).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Mode, Providers, instrumented_modes, measure, save, table

from huggingplace_sdk.testing import Interaction, cassette_path, decoded_body, load_cassette, recorded_request_json


def _recorded(vendor: str, name: str) -> Interaction:
    return load_cassette(cassette_path(vendor, name))[0]


def _transport(plain: Interaction, streamed: Interaction) -> tuple[httpx.MockTransport, httpx.MockTransport]:
    bodies = {False: decoded_body(plain), True: decoded_body(streamed)}
    types = {False: plain.response.header("content-type") or "application/json",
             True: streamed.response.header("content-type") or "text/event-stream"}

    def respond(request: httpx.Request) -> httpx.Response:
        stream = b'"stream":true' in request.content.replace(b" ", b"")
        return httpx.Response(200, headers={"content-type": types[stream]}, content=bodies[stream])

    async def respond_async(request: httpx.Request) -> httpx.Response:
        return respond(request)

    return httpx.MockTransport(respond), httpx.MockTransport(respond_async)


def _peer(module: str, name: str) -> Callable[[], Any]:
    return lambda: getattr(importlib.import_module(module), name)()


def groq_rows(calls: int, rounds: int) -> dict[str, dict[str, float]]:
    import groq
    from huggingplace_instrumentation_groq import GroqInstrumentor

    plain = _recorded("groq", "test_chat_tracing__test_chat_legacy")
    streamed = _recorded("groq", "test_chat_tracing__test_chat_streaming_legacy")
    ask = recorded_request_json(plain)
    sync_transport, async_transport = _transport(plain, streamed)
    sync = groq.Groq(api_key="gsk-bench", base_url="http://bench.local",
                     http_client=httpx.Client(transport=sync_transport))
    async_client = groq.AsyncGroq(api_key="gsk-bench", base_url="http://bench.local",
                                  http_client=httpx.AsyncClient(transport=async_transport))
    modes = instrumented_modes(Providers(), GroqInstrumentor(), "openllmetry",
                               _peer("opentelemetry.instrumentation.groq", "GroqInstrumentor"),
                               "run with --with opentelemetry-instrumentation-groq (see docstring)")

    def streamed_call() -> int:
        return sum(1 for _ in sync.chat.completions.create(**ask, stream=True))

    async def plain_async() -> Any:
        return await async_client.chat.completions.create(**ask)

    return {
        "groq sync, non-streamed": measure(modes, lambda: sync.chat.completions.create(**ask), calls=calls,
                                           rounds=rounds),
        "groq sync, streamed": measure(modes, streamed_call, calls=calls, rounds=rounds),
        "groq async, non-streamed": measure(modes, plain_async, calls=calls, rounds=rounds, is_async=True),
    }


def ollama_rows(calls: int, rounds: int) -> dict[str, dict[str, float]]:
    import ollama
    from huggingplace_instrumentation_ollama import OllamaInstrumentor

    plain = _recorded("ollama", "test_chat__test_ollama_chat_legacy")
    streamed = _recorded("ollama", "test_chat__test_ollama_streaming_chat_legacy")
    body = recorded_request_json(plain)
    ask = {"model": body["model"], "messages": body["messages"]}
    sync_transport, async_transport = _transport(plain, streamed)
    sync = ollama.Client(host="http://bench.local:11434", transport=sync_transport)
    async_client = ollama.AsyncClient(host="http://bench.local:11434", transport=async_transport)
    modes = instrumented_modes(Providers(), OllamaInstrumentor(), "openllmetry",
                               _peer("opentelemetry.instrumentation.ollama", "OllamaInstrumentor"),
                               "run with --with opentelemetry-instrumentation-ollama (see docstring)")

    async def plain_async() -> Any:
        return await async_client.chat(**ask)

    return {
        "ollama sync chat, non-streamed": measure(modes, lambda: sync.chat(**ask), calls=calls, rounds=rounds),
        "ollama sync chat, streamed": measure(modes, lambda: sum(1 for _ in sync.chat(**ask, stream=True)),
                                              calls=calls, rounds=rounds),
        "ollama async chat, non-streamed": measure(modes, plain_async, calls=calls, rounds=rounds, is_async=True),
    }


def cohere_rows(calls: int, rounds: int) -> dict[str, dict[str, float]]:
    try:
        from huggingplace_instrumentation_cohere import CohereInstrumentor
    except ImportError:
        return {}
    import cohere

    plain = _recorded("cohere", "test_chat__test_cohere_v2_chat_legacy")
    streamed = _recorded("cohere", "test_chat__test_cohere_v2_chat_legacy_with_streaming")
    body = recorded_request_json(plain)
    ask = {"model": body["model"], "messages": body["messages"]}
    sync_transport, _ = _transport(plain, streamed)
    client = cohere.ClientV2(api_key="co-bench", base_url="http://bench.local",
                             httpx_client=httpx.Client(transport=sync_transport))
    modes = instrumented_modes(Providers(), CohereInstrumentor(), "openllmetry",
                               _peer("opentelemetry.instrumentation.cohere", "CohereInstrumentor"),
                               "run with --with opentelemetry-instrumentation-cohere (see docstring)")
    _forget_peer_leftovers(modes, [cohere.Client, cohere.AsyncClient, cohere.ClientV2, cohere.AsyncClientV2])
    # ``client.chat`` is bound on the instance when the client is made (cohere's validate_args), before any
    # mode is enabled: called through the class, each mode's wrapper on the class is reached.
    return {
        "cohere v2 chat, non-streamed": measure(modes, lambda: cohere.ClientV2.chat(client, **ask), calls=calls,
                                                rounds=rounds),
        # chat_stream is left out: in a run with the peer our span count for it read 0 (not yet understood).
    }


def _forget_peer_leftovers(modes: list[Mode], classes: list[type]) -> None:
    """The cohere peer wraps ``ClientV2.chat`` (inherited from ``V2Client``) on ``ClientV2`` itself, and its
    uninstrument leaves the unwrapped function behind as ``ClientV2``'s own attribute, which hides the base
    class's method (and our wrapper on it) for the rest of the process. Drop what it added."""
    for mode in modes:
        if mode.name != "openllmetry":
            continue
        own = {cls: set(vars(cls)) for cls in classes}
        disable = mode.disable

        def disable_and_forget(disable: Callable[[], None] = disable,
                               own: dict[type, set[str]] = own) -> None:
            disable()
            for cls, names in own.items():
                for name in set(vars(cls)) - names:
                    delattr(cls, name)

        mode.disable = disable_and_forget


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    calls, rounds = (100, 5) if args.quick else (300, 15)
    rows = {**cohere_rows(calls, rounds), **groq_rows(calls, rounds), **ollama_rows(calls, rounds)}
    peer = "openllmetry" if all("openllmetry" in result for result in rows.values()) else None
    print(table("groq, ollama, cohere: added cost per call", rows, "uninstrumented", "ours", peer))
    print(f"saved {save('groq_ollama_cohere', {'rows': rows})}")


if __name__ == "__main__":
    main()
