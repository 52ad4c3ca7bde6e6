"""The write-ahead spool: kill -9 mid-export then restart stores each interaction exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

CHILD = Path(__file__).with_name("spool_child.py")


def test_kill_minus_nine_mid_export_then_restart_stores_each_interaction_exactly_once(
    server: Any, make_exporter: Any, tmp_path: Path, api_key: str, delivery: Any
) -> None:
    spool_dir = tmp_path / "spool"
    server.faults.hang_next(100)  # every POST of the child is held: it dies mid-request
    child = subprocess.Popen(
        [sys.executable, str(CHILD), server.url, api_key, "org-kill", str(spool_dir), "20",
         delivery.batch_format],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout is not None else ""
        assert line.strip() == "SPOOLED 20"
        assert server.faults.wait_for_held(1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert len(list(spool_dir.glob("*.jsonl"))) == 4  # four batches of five, all still on disk

    # The held requests now complete on the server: the first batch may be stored before the restart.
    server.faults.clear()
    restarted = make_exporter(spool_dir=spool_dir)
    assert restarted.force_flush(10_000)

    prompts = Counter(log["user_prompt"] for log in server.store.logs())
    assert prompts == Counter(f"question {i}" for i in range(20))
    assert list(spool_dir.glob("*.jsonl")) == []
    assert restarted.get_metrics()["sent"] == 20
    assert restarted.get_metrics()["dropped_total"] == 0


def test_lost_response_after_the_server_stored_is_retried_and_deduplicated(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, tmp_path: Path, delivery: Any
) -> None:
    class LoseFirstResponse(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport()
            self.calls = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = self.inner.handle_request(request)
            self.calls += 1
            if self.calls == 1:
                response.read()
                raise httpx.ReadError("connection reset after the server answered")
            return response

    transport = LoseFirstResponse()
    exporter = make_exporter(transport=transport, spool_dir=tmp_path / "spool", late_child_wait=60.0)
    tracer = tracer_for(exporter)
    for i in range(3):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert server.store.count() == 3
    metrics = exporter.get_metrics()
    # The lost answer covered the whole array, or (one log per request) only the first log.
    duplicates = 3 if delivery.arrays else 1
    assert (metrics["sent"], metrics["duplicates"], metrics["dropped_total"]) == (3, duplicates, 0)
    assert list((tmp_path / "spool").glob("*.jsonl")) == []


def test_shutdown_against_a_hung_endpoint_keeps_everything_in_the_spool(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, tmp_path: Path,
    returned_on_time: Any,
) -> None:
    import time

    spool_dir = tmp_path / "spool"
    server.faults.hang_next(100)
    exporter = make_exporter(clock=time.monotonic, sleep=None, spool_dir=spool_dir, late_child_wait=60.0,
                             max_batch_size=2, timeout=10_000)
    tracer = tracer_for(exporter)
    for i in range(5):
        export_interaction(tracer, i)
    started = time.monotonic()
    exporter.shutdown(timeout_millis=300)
    assert returned_on_time(time.monotonic() - started, 0.3)  # not the held request's 10 s timeout
    assert exporter.get_metrics()["dropped"] == {}  # spooled, not lost
    assert len(list(spool_dir.glob("*.jsonl"))) == 3

    server.faults.clear()
    restarted = make_exporter(spool_dir=spool_dir)
    assert restarted.force_flush(5000)
    assert sorted(log["user_prompt"] for log in server.store.logs()) == [f"question {i}" for i in range(5)]


def test_spool_cap_evicts_the_oldest_batches_and_counts_them(
    server: Any, clock: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    server.faults.fail_next(1000, status=503)
    probe = make_exporter(spool_dir=tmp_path / "probe", max_retries=0)
    export_interaction(tracer_for(probe), 0)
    probe.force_flush(5000)
    [probe_file] = (tmp_path / "probe").glob("*.jsonl")
    one_file = probe_file.stat().st_size
    # Stopped now: alive, it would send its own spooled "question 0" once the shared clock passes the cooldown.
    probe.shutdown(timeout_millis=2000)

    exporter = make_exporter(spool_dir=spool_dir, max_retries=0, spool_max_bytes=int(one_file * 2.5))
    tracer = tracer_for(exporter)
    for i in range(1, 6):  # same-width texts: every file has the probe's size
        export_interaction(tracer, i)
        exporter.force_flush(5000)
    metrics = exporter.get_metrics()
    assert metrics["dropped"] == {"spool_overflow": 3}
    assert metrics["spool_files"] == 2

    server.faults.clear()
    clock.advance(31.0)  # past the cooldown after exhausted retries
    assert exporter.force_flush(5000)
    assert sorted(log["user_prompt"] for log in server.store.logs()) == ["question 4", "question 5"]
