"""Ten times the sustainable load: memory stays bounded and every drop is counted exactly.

The held request is given a client timeout far beyond any test run: with the default (a real 10 s) a slow,
loaded machine saw it time out, the retry (no longer held) succeed and the worker drain the queue.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

_NEVER_TIMES_OUT_MS = 3_600_000.0  # the stuck request stays stuck until the test releases it


def test_overload_drops_exactly_what_does_not_fit_and_delivers_the_rest(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server.faults.hang_next(1)
    exporter = make_exporter(max_queue_size=50, timeout=_NEVER_TIMES_OUT_MS)
    tracer = tracer_for(exporter)
    export_interaction(tracer, 0)
    assert server.faults.wait_for_held(1)  # the worker is stuck sending interaction 0

    for i in range(1, 501):  # ten times what the queue holds, while nothing drains
        export_interaction(tracer, i)

    metrics = exporter.get_metrics()
    assert metrics["queued"] == 50
    assert metrics["open_traces"] == 0
    assert metrics["dropped"] == {"queue_full": 450}

    server.faults.release()
    assert exporter.force_flush(10_000)
    stored = sorted(int(log["user_prompt"].split()[1]) for log in server.store.logs())
    assert stored == list(range(51))  # the first one in flight, then the first 50 queued
    assert exporter.get_metrics()["sent"] == 51


def test_memory_stays_flat_while_the_endpoint_is_stuck(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server.faults.hang_next(1)
    exporter = make_exporter(max_queue_size=100, max_open_traces=100, timeout=_NEVER_TIMES_OUT_MS)
    tracer = tracer_for(exporter)
    export_interaction(tracer, 0)
    assert server.faults.wait_for_held(1)

    tracemalloc.start()
    try:
        for i in range(1000):
            export_interaction(tracer, i)
        gc.collect()
        after_first, _ = tracemalloc.get_traced_memory()
        for i in range(4000):
            export_interaction(tracer, i)
        gc.collect()
        after_five_times_more, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert after_five_times_more - after_first < 256 * 1024
    metrics = exporter.get_metrics()
    assert metrics["queued"] == 100
    assert metrics["dropped"] == {"queue_full": 5000 - 100}
