"""Shared benchmark harness: added cost per call as a difference against a baseline in the same run.

Modes (uninstrumented, ours, a peer instrumentation) are measured in interleaved rounds so that machine
noise hits every mode alike; the figure per mode is the fastest round's mean CPU time per call (process
CPU time: the calls run on an in-process transport, so there is no I/O wait). Interference from other
processes on a shared 2-core machine only ever adds time, so the fastest of many short rounds is the
steadiest estimate of a mode's own cost (the approach timeit recommends); the median is kept too.
Nothing here is a test: scripts print a table and write JSON under benchmarks/results/.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

RESULTS_DIR = Path(__file__).parent / "results"


class CountingExporter(SpanExporter):
    """Keeps nothing (memory stays flat), counts what it was given."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, spans: Any) -> SpanExportResult:
        self.count += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


@dataclass
class Providers:
    """The same SDK providers for every instrumented mode, so only the instrumentation differs."""

    exporter: CountingExporter = field(default_factory=CountingExporter)
    tracer_provider: TracerProvider = field(default_factory=TracerProvider)
    meter_provider: MeterProvider = field(
        default_factory=lambda: MeterProvider(metric_readers=[InMemoryMetricReader()]))

    def __post_init__(self) -> None:
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))


@dataclass
class Mode:
    name: str
    enable: Callable[[], None] = lambda: None
    disable: Callable[[], None] = lambda: None
    spans: Callable[[], int] = lambda: 0  # spans exported so far, to check each mode really traced


def instrumented_modes(providers: Providers, ours: Any, peer_name: str,
                       load_peer: Callable[[], Any], hint: str, floor: Any = None) -> list[Mode]:
    """Uninstrumented, ours and (when it can be imported) a peer instrumentor, all on the same providers;
    then the SDK floor (benchmarks/_floor.py) when given."""

    def count() -> int:
        return providers.exporter.count

    def switch(instrumentor: Any) -> tuple[Callable[[], None], Callable[[], None]]:
        return (lambda: instrumentor.instrument(tracer_provider=providers.tracer_provider,
                                                meter_provider=providers.meter_provider),
                lambda: instrumentor.uninstrument())

    modes = [Mode("uninstrumented", spans=count), Mode("ours", *switch(ours), count)]
    try:
        modes.append(Mode(peer_name, *switch(load_peer()), count))
    except ImportError:
        print(f"peer not installed: {hint}")
    if floor is not None:
        modes.append(Mode(FLOOR, *switch(floor), count))
    return modes


FLOOR = "sdk-floor"


def _time_sync(call: Callable[[], Any], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - start) / calls


async def _time_async(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) / calls


def measure(modes: list[Mode], call: Callable[[], Any], *, calls: int = 200, rounds: int = 25,
            warmup: int = 50, is_async: bool = False) -> dict[str, float]:
    """Median seconds per call for each mode, measured in interleaved rounds."""
    import asyncio

    samples: dict[str, list[float]] = {m.name: [] for m in modes}
    spans_per_call: dict[str, float] = {}
    for round_index in range(rounds + 1):
        for mode in modes:
            mode.enable()
            before = mode.spans()
            count = warmup if round_index == 0 else calls
            try:
                gc.collect()
                per_call = asyncio.run(_time_async(call, count)) if is_async else _time_sync(call, count)
            finally:
                mode.disable()
            spans_per_call[mode.name] = (mode.spans() - before) / count
            if round_index:  # round 0 is warm-up
                samples[mode.name].append(per_call)
    for mode in modes[1:]:
        if spans_per_call[mode.name] < 1:
            raise RuntimeError(f"mode {mode.name!r} produced {spans_per_call[mode.name]:.2f} spans per call")
    last_medians.clear()
    last_medians.update({name: statistics.median(values) for name, values in samples.items()})
    return {name: min(values) for name, values in samples.items()}


last_medians: dict[str, float] = {}  # the medians of the latest measure() call, for reporting


def memory_growth(call: Callable[[], Any], *, total: int = 100_000, checkpoints: int = 5) -> list[int]:
    """Traced Python heap (bytes) after each of ``checkpoints`` equal slices of ``total`` calls."""
    tracemalloc.start()
    sizes = []
    per_slice = total // checkpoints
    for _ in range(checkpoints):
        for _ in range(per_slice):
            call()
        gc.collect()
        sizes.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    return sizes


def table(title: str, rows: dict[str, dict[str, float]], baseline: str, ours: str, peer: str | None,
          unit: str = "µs", scale: float = 1e6, digits: int = 1) -> str:
    """Rows: scenario -> mode -> cost per call. Columns: what each mode adds to the baseline, ours / peer, and
    when the SDK floor was measured, what each instrumentation adds above it (its own code) and that ratio."""
    floor = FLOOR if all(FLOOR in result for result in rows.values()) else None
    head = [f"baseline {unit}/call", f"ours added {unit}"]
    if peer:
        head += [f"{peer} added {unit}", "ours / peer"]
    if floor:
        head += [f"SDK floor added {unit}", "ours above floor"]
        if peer:
            head += [f"{peer} above floor", "ratio above floor"]
    lines = [f"## {title}", "", "| scenario | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}" if b > 0 else "n/a"

    for scenario, result in rows.items():
        base = result[baseline]
        added = {name: (value - base) * scale for name, value in result.items()}
        cells = [base * scale, added[ours]]
        text = [f"{v:,.{digits}f}" for v in cells]
        if peer:
            text += [f"{added[peer]:,.{digits}f}", ratio(added[ours], added[peer])]
        if floor:
            text += [f"{added[floor]:,.{digits}f}", f"{added[ours] - added[floor]:,.{digits}f}"]
            if peer:
                text += [f"{added[peer] - added[floor]:,.{digits}f}",
                         ratio(added[ours] - added[floor], added[peer] - added[floor])]
        lines.append(f"| {scenario} | " + " | ".join(text) + " |")
    return "\n".join(lines)


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {"python": sys.version.split()[0], "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               **payload}
    path.write_text(json.dumps(payload, indent=2))
    return path


def spans_exported(providers: Providers) -> int:
    return providers.exporter.count


__all__ = ["FLOOR", "CountingExporter", "Mode", "Providers", "ReadableSpan", "instrumented_modes", "measure",
           "memory_growth", "save", "spans_exported", "table"]
