"""OTLP ingest: spans/s and server CPU per span of the local server's ``POST /v1/traces``.

The producer is this process: the OpenTelemetry SDK's BatchSpanProcessor + OTLPSpanExporter (http/protobuf),
fed at full speed. Each receiver runs in its own process, so ``time.process_time`` there counts only the
receiver:

- ``huggingplace serve`` (LocalServer, SQLite file in WAL mode: decode, store, one transaction per request);
- a stdlib sink that reads each body and answers 200 without decoding: the floor of any receiver here.

Rounds are interleaved so machine noise hits both alike; the table shows medians. The producer's own CPU
per span (the exporter's cost) is measured in the same run. Also reported: how fast this process can
create spans with the SDK at all (one producer at full speed), so "keeps up" is a comparison, not a claim.
Nothing here is a test; results go to benchmarks/results/otlp_ingest.json.

    uv run python benchmarks/bench_otlp_ingest.py [--interactions 4000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

RESULTS_DIR = Path(__file__).parent / "results"
API_KEY = "hp-bench-key-0123456789abcdef"
SPANS_PER_INTERACTION = 5

_RECEIVER = textwrap.dedent(
    f"""
    import sys, time
    from huggingplace_sdk._server import LocalServer
    server = LocalServer(db_path=sys.argv[1], api_key={API_KEY!r}).start()
    print(server.url, flush=True)
    cpu0 = time.process_time()
    sys.stdin.readline()
    print(server.traces.span_count(), time.process_time() - cpu0, flush=True)
    sys.stdin.read()
    server.stop()
    """
)
_SINK = textwrap.dedent(
    """
    import sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    received = 0
    lock = threading.Lock()
    class Sink(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_POST(self):
            global received
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                received += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()
        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    cpu0 = time.process_time()
    sys.stdin.readline()
    print(-1, time.process_time() - cpu0, flush=True)
    sys.stdin.read()
    """
)


class Receiver:
    """A receiver in a child process; ``measure()`` returns (spans stored or -1, CPU seconds since ready)."""

    def __init__(self, code: str, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *arguments], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def measure(self) -> tuple[int, float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        stored, cpu = self.process.stdout.readline().split()
        return int(stored), float(cpu)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def build_spans(interactions: int) -> tuple[list[ReadableSpan], float]:
    """Spans shaped like an instrumented app's (a step, two chat calls, a nested step, a tool call), and
    the SDK's own rate of creating them in this process (spans/s)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench")
    session: dict[str, Any] = {"session.id": "sess-bench", "user.id": "user-1"}
    chat: dict[str, Any] = {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 30, "gen_ai.response.finish_reasons": ("stop",),
        "server.address": "api.openai.com", **session,
    }
    started = time.process_time()
    for i in range(interactions):
        with tracer.start_as_current_span("answer", attributes={
            "huggingplace.step.type": "agent", "huggingplace.step.user_question": f"question {i}", **session}):
            with (
                tracer.start_as_current_span("retrieve", attributes={"huggingplace.step.type": "retrieval", **session}),
                tracer.start_as_current_span("chat gpt-4o-mini", kind=trace.SpanKind.CLIENT, attributes=chat),
            ):
                pass
            with tracer.start_as_current_span("chat gpt-4o-mini", kind=trace.SpanKind.CLIENT, attributes=chat):
                pass
            with tracer.start_as_current_span("execute_tool lookup", attributes={
                    "gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.id": f"call_{i}", **session}):
                pass
    creation_rate = interactions * SPANS_PER_INTERACTION / (time.process_time() - started)
    spans = list(memory.get_finished_spans())
    assert len(spans) == interactions * SPANS_PER_INTERACTION
    return spans, creation_rate


def run_round(spans: list[ReadableSpan], receiver: Receiver) -> dict[str, float]:
    """Feed every span to BatchSpanProcessor + OTLPSpanExporter at full speed; stop when all are answered."""
    exporter = OTLPSpanExporter(endpoint=receiver.url + "/v1/traces", headers={"Authorization": f"Bearer {API_KEY}"})
    # Queue sized to hold the whole run: any loss is then the receiver's, never the producer's queue.
    processor = BatchSpanProcessor(exporter, max_queue_size=len(spans) + 1, max_export_batch_size=512,
                                   schedule_delay_millis=50)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for span in spans:
        processor.on_end(span)
    flushed = processor.force_flush(300_000)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    processor.shutdown()  # type: ignore[no-untyped-call]
    stored, server_cpu = receiver.measure()
    return {"wall_s": wall, "producer_cpu_s": cpu, "server_cpu_s": server_cpu, "stored": stored,
            "flushed": float(flushed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--interactions", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spans, creation_rate = build_spans(args.interactions)
    count = len(spans)
    runs: dict[str, list[dict[str, float]]] = {"huggingplace serve (SQLite)": [], "discard sink (floor)": []}
    with tempfile.TemporaryDirectory(prefix="bench-otlp-") as folder:
        for round_index in range(args.rounds):
            for name in runs:
                if name.startswith("huggingplace"):
                    receiver = Receiver(_RECEIVER, str(Path(folder) / f"round{round_index}.sqlite3"))
                else:
                    receiver = Receiver(_SINK)
                try:
                    result = run_round(spans, receiver)
                finally:
                    receiver.close()
                if name.startswith("huggingplace") and result["stored"] != count:
                    raise RuntimeError(f"{name}: stored {result['stored']} of {count} spans")
                runs[name].append(result)
    rows = []
    for name, results in runs.items():
        wall = statistics.median(r["wall_s"] for r in results)
        rows.append({
            "receiver": name,
            "spans": count,
            "spans_per_s": count / wall,
            "server_cpu_us_per_span": statistics.median(r["server_cpu_s"] for r in results) / count * 1e6,
            "producer_cpu_us_per_span": statistics.median(r["producer_cpu_s"] for r in results) / count * 1e6,
            "dropped": count - min(r["stored"] for r in results) if name.startswith("huggingplace") else None,
        })
    print(f"{count:,} spans per round, {args.rounds} interleaved rounds (medians); one producer process "
          f"creates spans at {creation_rate:,.0f} spans/s with the SDK alone")
    print(f"{'receiver':<30} {'spans/s':>10} {'server CPU µs/span':>19} {'exporter CPU µs/span':>21} {'dropped':>8}")
    for row in rows:
        dropped = "-" if row["dropped"] is None else f"{row['dropped']:,}"
        print(f"{row['receiver']:<30} {row['spans_per_s']:>10,.0f} {row['server_cpu_us_per_span']:>19.1f} "
              f"{row['producer_cpu_us_per_span']:>21.1f} {dropped:>8}")
    RESULTS_DIR.mkdir(exist_ok=True)
    output = {"spans_per_round": count, "rounds": args.rounds, "sdk_span_creation_per_s": creation_rate,
              "rows": rows}
    (RESULTS_DIR / "otlp_ingest.json").write_text(json.dumps(output, indent=2) + "\n")


if __name__ == "__main__":
    main()
