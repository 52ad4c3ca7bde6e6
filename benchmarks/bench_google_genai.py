"""Added cost per google-genai call and per stream chunk: uninstrumented vs ours vs a peer instrumentation.

Run (the peer is installed only for this run; the OTel contrib one instruments google-genai < 3 only):
    uv run --with opentelemetry-instrumentation-google-genai --with "google-genai<3" \
        python benchmarks/bench_google_genai.py [--quick]
    uv run --with openinference-instrumentation-google-genai \
        python benchmarks/bench_google_genai.py --peer openinference

The client talks to an in-process transport serving recorded Gemini API responses (no network), so the figure
is the client's own cost plus the instrumentation's (CPU time, interleaved rounds: see _harness.py, which also
checks that every instrumented mode really exported a span per call). The per-chunk figure is what a streamed
call adds above a whole one, divided by its chunk count.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx
from google import genai
from google.genai import types

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Mode, Providers, instrumented_modes, measure, save, table
from huggingplace_instrumentation_google_genai import GoogleGenAIInstrumentor

from huggingplace_sdk.testing import cassette_path, decoded_body, load_cassette, recorded_sse_events

PLAIN = load_cassette(cassette_path("google-genai", "test_instrumentation__test_generate_content"))[0]
STREAMED = load_cassette(cassette_path("google-genai", "test_instrumentation__test_streaming_text_content"))[0]
BODIES = {"plain": decoded_body(PLAIN), "streamed": decoded_body(STREAMED)}
CHUNKS = len(recorded_sse_events(STREAMED))
ASK: dict[str, Any] = {"model": "gemini-2.0-flash", "contents": "Tell me a short story about a cat."}

PEERS = {
    "otel-contrib": ("opentelemetry.instrumentation.google_genai", "GoogleGenAiSdkInstrumentor",
                     "opentelemetry-instrumentation-google-genai"),
    "openinference": ("openinference.instrumentation.google_genai", "GoogleGenAIInstrumentor",
                      "openinference-instrumentation-google-genai"),
}


def _respond(request: httpx.Request) -> httpx.Response:
    if b"streamGenerateContent" in request.url.raw_path:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=BODIES["streamed"])
    return httpx.Response(200, headers={"content-type": "application/json"}, content=BODIES["plain"])


async def _respond_async(request: httpx.Request) -> httpx.Response:
    return _respond(request)


def _client() -> genai.Client:
    options = types.HttpOptions(
        base_url="http://bench.local", api_version="v1beta",
        httpx_client=httpx.Client(transport=httpx.MockTransport(_respond)),
        httpx_async_client=httpx.AsyncClient(transport=httpx.MockTransport(_respond_async)),
    )
    return genai.Client(api_key="bench-key", http_options=options)


def _modes(providers: Providers, peer: str) -> list[Mode]:
    module, name, package = PEERS[peer]

    def load() -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)()

    return instrumented_modes(providers, GoogleGenAIInstrumentor(), peer, load,
                              f"run with --with {package} (see docstring)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--peer", choices=sorted(PEERS), default="otel-contrib")
    args = parser.parse_args()
    calls, rounds = (100, 5) if args.quick else (200, 15)
    providers = Providers()
    modes = _modes(providers, args.peer)
    client = _client()

    def plain() -> Any:
        return client.models.generate_content(**ASK)

    def streamed() -> Any:
        return sum(1 for _ in client.models.generate_content_stream(**ASK))

    async def plain_async() -> Any:
        return await client.aio.models.generate_content(**ASK)

    async def streamed_async() -> Any:
        return len([chunk async for chunk in await client.aio.models.generate_content_stream(**ASK)])

    assert streamed() == CHUNKS
    rows = {
        "sync, whole": measure(modes, plain, calls=calls, rounds=rounds),
        f"sync, streamed ({CHUNKS} chunks)": measure(modes, streamed, calls=calls, rounds=rounds),
        "async, whole": measure(modes, plain_async, calls=calls, rounds=rounds, is_async=True),
        f"async, streamed ({CHUNKS} chunks)": measure(modes, streamed_async, calls=calls, rounds=rounds,
                                                      is_async=True),
    }
    peer = args.peer if any(m.name == args.peer for m in modes) else None
    print(table("google-genai generate_content: added cost per call", rows, "uninstrumented", "ours", peer))
    per_chunk = {}
    for kind, whole, streamed_row in (("sync", "sync, whole", f"sync, streamed ({CHUNKS} chunks)"),
                                      ("async", "async, whole", f"async, streamed ({CHUNKS} chunks)")):
        for mode in [m.name for m in modes[1:]]:
            added_whole = rows[whole][mode] - rows[whole]["uninstrumented"]
            added_streamed = rows[streamed_row][mode] - rows[streamed_row]["uninstrumented"]
            per_chunk[f"{kind} {mode}"] = (added_streamed - added_whole) / CHUNKS
    print("added µs per chunk (streamed minus whole, over the chunk count): "
          + ", ".join(f"{key} {value * 1e6:.1f}" for key, value in per_chunk.items()))
    path = save(f"google_genai_{args.peer}", {"rows": rows, "per_chunk": per_chunk, "chunks": CHUNKS,
                                             "google_genai": genai.__version__})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
