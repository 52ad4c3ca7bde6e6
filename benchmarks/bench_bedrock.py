"""Added cost per Bedrock call and per streamed chunk: uninstrumented vs ours vs
opentelemetry-instrumentation-bedrock (OpenLLMetry).

Run (the peer is installed only for this run):
    uv run --with opentelemetry-instrumentation-bedrock python benchmarks/bench_bedrock.py [--quick]

A real boto3 client answers from recorded responses through botocore's own ``before-send`` event (no
network, no server thread), so the figure is botocore's own cost plus the instrumentation's (CPU time,
interleaved rounds: see _harness.py, which also checks every instrumented mode exported a span per call).
OpenLLMetry wraps clients when they are created, so every mode creates its client after enabling itself.
Per chunk: the same stream replayed with its recorded content-delta frames repeated (``--repeat`` times,
default 5); (added cost of the long stream - added cost of the recorded one) / extra chunks.

``--instructions`` counts instructions instead (valgrind callgrind; deterministic where CPU time on a shared
VM is not): each mode and scenario runs once with the warm-up calls only and once with 20 more.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import botocore
from botocore.awsrequest import AWSResponse
from urllib3 import HTTPResponse

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Mode, Providers, instrumented_modes, measure, memory_growth, save, table
from huggingplace_instrumentation_bedrock import BedrockInstrumentor

from huggingplace_sdk.testing import Interaction, cassette_path, decoded_body, load_cassette


def _recorded(name: str) -> Interaction:
    return load_cassette(cassette_path("bedrock", name))[0]


CONVERSE = _recorded("test_meta__test_meta_converse")
CONVERSE_STREAM = _recorded("test_meta__test_meta_converse_stream")
INVOKE = _recorded("test_anthropic__test_anthropic_3_completion_string_content")
INVOKE_STREAM = _recorded("test_anthropic__test_anthropic_3_completion_streaming")
BY_ACTION = {i.request.path.rsplit("/", 1)[1]: i for i in (CONVERSE, CONVERSE_STREAM, INVOKE, INVOKE_STREAM)}
BODIES = {id(i): decoded_body(i) for i in BY_ACTION.values()}


def _frames(body: bytes) -> list[bytes]:
    """The event-stream frames of a body (each starts with its total length, big-endian)."""
    frames, start = [], 0
    while start < len(body):
        (length,) = struct.unpack(">I", body[start:start + 4])
        frames.append(body[start:start + length])
        start += length
    return frames


def _lengthened(interaction: Interaction, head: int, tail: int, repeat: int) -> bytes:
    """The recorded stream with its middle (content delta) frames sent ``repeat`` times."""
    frames = _frames(BODIES[id(interaction)])
    return b"".join(frames[:head] + frames[head:-tail] * repeat + frames[-tail:])


LONG: dict[int, bytes] = {}  # filled in main(): id(interaction) -> lengthened body
USE_LONG = {"on": False}


def _chunks(body: bytes) -> int:
    return len(_frames(body))


def _answer(request: Any, **_: Any) -> AWSResponse:
    """botocore's before-send hook: the recorded response for the requested action, in-process."""
    recorded = BY_ACTION[request.url.rsplit("/", 1)[1]]
    headers = {"content-type": recorded.response.header("content-type") or "application/json"}
    body = LONG[id(recorded)] if USE_LONG["on"] and id(recorded) in LONG else BODIES[id(recorded)]
    raw = HTTPResponse(body=io.BytesIO(body), headers=headers, status=200, preload_content=False,
                       decode_content=False)
    return AWSResponse(request.url, 200, headers, raw)


def _client() -> Any:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url="https://bench.local",
                          aws_access_key_id="AKIABENCH", aws_secret_access_key="bench-secret")
    client.meta.events.register("before-send.bedrock-runtime.*", _answer)
    return client


def _other_service_cost(modes: list[Mode], calls: int, rounds: int) -> dict[str, float]:
    """Seconds per STS ``get_caller_identity`` (answered in-process) uninstrumented and with ours enabled:
    the filter must make other services' calls cost nothing more. Measured like ``measure`` (fastest of
    interleaved rounds), without its one-span-per-call check since no span is wanted."""
    body = (b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/b</Arn>"
            b"<UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")

    def answer(request: Any, **_: Any) -> AWSResponse:
        raw = HTTPResponse(body=io.BytesIO(body), headers={"content-type": "text/xml"}, status=200,
                           preload_content=False)
        return AWSResponse(request.url, 200, {"content-type": "text/xml"}, raw)

    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="AKIABENCH",
                       aws_secret_access_key="bench-secret")
    sts.meta.events.register("before-send.sts.*", answer)
    best: dict[str, float] = {}
    for round_index in range(rounds + 1):
        for mode in modes[:2]:
            mode.enable()
            try:
                start = time.process_time()
                for _ in range(calls):
                    sts.get_caller_identity()
                per_call = (time.process_time() - start) / calls
            finally:
                mode.disable()
            if round_index:
                best[mode.name] = min(best.get(mode.name, per_call), per_call)
    return best


def _load_peer() -> Any:
    from opentelemetry.instrumentation.bedrock import BedrockInstrumentor as Peer

    return Peer()


def _modes(providers: Providers, holder: dict[str, Any]) -> list[Mode]:
    def with_client(mode: Mode) -> Mode:
        enable = mode.enable

        def enable_then_create() -> None:
            enable()
            holder["client"] = _client()

        return Mode(mode.name, enable_then_create, mode.disable, mode.spans)

    modes = instrumented_modes(providers, BedrockInstrumentor(), "openllmetry", _load_peer,
                               "run with --with opentelemetry-instrumentation-bedrock (see docstring)")
    return [with_client(mode) for mode in modes]


def _model(interaction: Interaction) -> str:
    return unquote(interaction.request.path.split("/")[2])


def _lengthen(repeat: int) -> None:
    # Converse: messageStart | deltas | contentBlockStop, messageStop, metadata.
    # Anthropic invoke: message_start, content_block_start | deltas | content_block_stop, message_delta, message_stop.
    LONG[id(CONVERSE_STREAM)] = _lengthened(CONVERSE_STREAM, 1, 3, repeat)
    LONG[id(INVOKE_STREAM)] = _lengthened(INVOKE_STREAM, 2, 3, repeat)


def scenarios(holder: dict[str, Any]) -> dict[str, Any]:
    """The measured calls by name, on ``holder["client"]`` (made by the enabled mode)."""
    converse_kwargs = {"modelId": _model(CONVERSE), **json.loads(CONVERSE.request.body)}
    stream_kwargs = {"modelId": _model(CONVERSE_STREAM), **json.loads(CONVERSE_STREAM.request.body)}

    def converse() -> Any:
        return holder["client"].converse(**converse_kwargs)

    def converse_stream() -> Any:
        return sum(1 for _ in holder["client"].converse_stream(**stream_kwargs)["stream"])

    def invoke() -> Any:
        return holder["client"].invoke_model(modelId=_model(INVOKE), body=INVOKE.request.body)["body"].read()

    def invoke_stream() -> Any:
        response = holder["client"].invoke_model_with_response_stream(modelId=_model(INVOKE_STREAM),
                                                                      body=INVOKE_STREAM.request.body)
        return sum(1 for _ in response["body"])

    return {"converse": converse, "converse_stream": converse_stream, "invoke": invoke,
            "invoke_stream": invoke_stream}


# --- instructions per call (valgrind callgrind): deterministic where CPU time is noisy -----------------
WARMUP_CALLS, COUNTED_CALLS = 5, 20
COUNT_SCENARIOS = ("converse", "converse_stream", "invoke", "invoke_stream", "converse_stream+long",
                   "invoke_stream+long")


def _count(mode: str, scenario: str, calls: int, repeat: int) -> None:
    """One callgrind subject: ``calls`` calls of ``scenario`` in ``mode`` after the warm-up calls."""
    import gc

    providers = Providers()
    holder: dict[str, Any] = {}
    modes = {m.name: m for m in _modes(providers, holder)}
    name, _, long = scenario.partition("+")
    _lengthen(repeat)
    USE_LONG["on"] = bool(long)
    call = scenarios(holder)[name]
    modes[mode].enable()
    for _ in range(WARMUP_CALLS):
        call()
    gc.collect()
    gc.freeze()  # the start-up heap stays out of the counted collections
    for _ in range(calls):
        call()
    assert mode == "uninstrumented" or providers.exporter.count >= WARMUP_CALLS + calls


def _instructions(mode: str, scenario: str, calls: int, repeat: int) -> int:
    import os
    import re
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", sys.executable, __file__,
             "--count", mode, scenario, str(calls), f"--repeat={repeat}"],
            capture_output=True, text=True, timeout=3600, env={**os.environ, "PYTHONHASHSEED": "0"})
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return int(re.findall(r"Collected : (\d+)", result.stderr)[-1])


def instructions_main(repeat: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    modes = ["uninstrumented", "ours"]
    try:
        _load_peer()
        modes.append("openllmetry")
    except ImportError:
        print("peer not installed: run with --with opentelemetry-instrumentation-bedrock")
    jobs = [(m, s, n) for m in modes for s in COUNT_SCENARIOS for n in (0, COUNTED_CALLS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: _instructions(*job, repeat), jobs), strict=True))
    per_call = {s: {m: (counts[(m, s, COUNTED_CALLS)] - counts[(m, s, 0)]) / COUNTED_CALLS for m in modes}
                for s in COUNT_SCENARIOS}
    peer = "openllmetry" if "openllmetry" in modes else None
    shown = {s: v for s, v in per_call.items() if "+" not in s}
    print(table("Bedrock: instructions added per call", shown, "uninstrumented", "ours", peer, unit="instr",
                scale=1, digits=0))
    _lengthen(repeat)
    per_chunk: dict[str, dict[str, float]] = {}
    for name, source in (("converse_stream", CONVERSE_STREAM), ("invoke_stream", INVOKE_STREAM)):
        extra = _chunks(LONG[id(source)]) - _chunks(BODIES[id(source)])
        long, short = per_call[name + "+long"], per_call[name]
        per_chunk[name] = {m: (long[m] - short[m]) / extra for m in modes}
    print(table("Bedrock: instructions added per streamed chunk", per_chunk, "uninstrumented", "ours", peer,
                unit="instr", scale=1, digits=0))
    payload = {"calls": COUNTED_CALLS, "per_call": per_call, "per_chunk": per_chunk}
    print(f"saved {save('bedrock_instructions', payload)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 10k calls for memory")
    parser.add_argument("--repeat", type=int, default=5, help="times the delta frames are sent (per chunk)")
    parser.add_argument("--instructions", action="store_true", help="count instructions (callgrind) instead")
    parser.add_argument("--count", nargs=3, metavar=("MODE", "SCENARIO", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count:
        _count(args.count[0], args.count[1], int(args.count[2]), args.repeat)
        return
    if args.instructions:
        instructions_main(args.repeat)
        return
    calls, rounds, memory_calls = (100, 5, 10_000) if args.quick else (300, 15, 50_000)
    providers = Providers()
    holder: dict[str, Any] = {}
    modes = _modes(providers, holder)
    _lengthen(args.repeat)
    calls_by_name = scenarios(holder)
    converse, converse_stream = calls_by_name["converse"], calls_by_name["converse_stream"]
    invoke, invoke_stream = calls_by_name["invoke"], calls_by_name["invoke_stream"]

    converse_chunks, invoke_chunks = _chunks(BODIES[id(CONVERSE_STREAM)]), _chunks(BODIES[id(INVOKE_STREAM)])
    rows = {
        "converse": measure(modes, converse, calls=calls, rounds=rounds),
        f"converse_stream ({converse_chunks} events)": measure(modes, converse_stream, calls=calls, rounds=rounds),
        "invoke_model (Anthropic body)": measure(modes, invoke, calls=calls, rounds=rounds),
        f"invoke_model_with_response_stream ({invoke_chunks} chunks)": measure(modes, invoke_stream, calls=calls,
                                                                              rounds=rounds),
    }
    peer = "openllmetry" if any(m.name == "openllmetry" for m in modes) else None
    print(table("Bedrock (boto3 bedrock-runtime): added cost per call", rows, "uninstrumented", "ours", peer))
    USE_LONG["on"] = True
    try:
        long_rows = {
            "converse_stream": (measure(modes, converse_stream, calls=calls // 2, rounds=rounds),
                                _chunks(LONG[id(CONVERSE_STREAM)]) - converse_chunks, rows[list(rows)[1]]),
            "invoke_model_with_response_stream": (
                measure(modes, invoke_stream, calls=calls // 2, rounds=rounds),
                _chunks(LONG[id(INVOKE_STREAM)]) - invoke_chunks, rows[list(rows)[3]]),
        }
    finally:
        USE_LONG["on"] = False
    per_chunk: dict[str, dict[str, float]] = {}
    for scenario, (long_row, extra, short_row) in long_rows.items():
        per_chunk[scenario] = {
            mode: ((long_row[mode] - long_row["uninstrumented"]) - (short_row[mode] - short_row["uninstrumented"]))
            / extra for mode in long_row}
        per_chunk[scenario]["extra_chunks"] = extra
    print("\n## added cost per chunk (µs)\n")
    print("| stream | uninstrumented µs/chunk | ours added | " + (f"{peer} added | ours / peer |" if peer else ""))
    print("|---|---|---|" + ("---|---|" if peer else ""))
    for scenario, values in per_chunk.items():
        base = ((long_rows[scenario][0]["uninstrumented"] - long_rows[scenario][2]["uninstrumented"])
                / values["extra_chunks"])
        cells = [f"{base * 1e6:.1f}", f"{values['ours'] * 1e6:.2f}"]
        if peer:
            cells += [f"{values[peer] * 1e6:.2f}", f"{values['ours'] / values[peer]:.2f}" if values[peer] > 0
                      else "n/a"]
        print(f"| {scenario} | " + " | ".join(cells) + " |")
    other = _other_service_cost(modes, calls, rounds)
    print(f"\nother AWS services (STS get_caller_identity): {other['uninstrumented'] * 1e6:.1f} µs/call "
          f"uninstrumented, ours adds {(other['ours'] - other['uninstrumented']) * 1e6:.1f} µs")
    modes[1].enable()
    try:
        heap = memory_growth(converse, total=memory_calls)
    finally:
        modes[1].disable()
    print(f"traced heap after each fifth of {memory_calls} instrumented calls (bytes): {heap}")
    path = save("bedrock", {"rows": rows, "per_chunk": per_chunk, "other_service": other, "heap_bytes": heap,
                            "memory_calls": memory_calls, "botocore": botocore.__version__})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
