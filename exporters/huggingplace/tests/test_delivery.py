"""Delivery against the real local server: retries, Retry-After, hung endpoint, batching, gzip, drops."""

from __future__ import annotations

import email.utils
import gzip
import json
import time
from typing import Any

import httpx
import pytest
from huggingplace_exporter import HuggingPlaceSpanExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, NumberDataPoint


class RecordingTransport(httpx.BaseTransport):
    """Forwards to the real server over loopback and remembers what each request carried."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.requests: list[tuple[dict[str, str], bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.requests.append((dict(request.headers), body))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()

    def decoded_bodies(self) -> list[list[dict[str, Any]]]:
        decoded = []
        for headers, body in self.requests:
            raw = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            decoded.append(json.loads(raw))
        return decoded


def test_503_three_times_then_200_loses_nothing(
    server: Any, clock: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, delivery: Any
) -> None:
    server.faults.fail_next(3, status=503)
    exporter = make_exporter(late_child_wait=60.0)
    tracer = tracer_for(exporter)
    for i in range(5):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)

    stored = server.store.logs()
    assert sorted(log["user_prompt"] for log in stored) == [f"question {i}" for i in range(5)]
    assert len(clock.sleeps) == 3
    if delivery.arrays:
        assert server.requests_seen == 4  # one batch: three 503s, then the 200
        # Full jitter: each wait lies under its exponential ceiling (0.5 s base).
        assert all(0 <= wait <= ceiling for wait, ceiling in zip(clock.sleeps, (0.5, 1.0, 2.0), strict=True))
    else:
        assert server.requests_seen == 5 + 3  # one request per log, three of them answered 503 first
        assert all(0 <= wait <= 2.0 for wait in clock.sleeps)
    metrics = exporter.get_metrics()
    assert metrics["sent"] == 5 and metrics["dropped_total"] == 0
    assert metrics["http"]["retries"] == 3


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_retry_after_is_honoured(
    form: str, server: Any, clock: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    retry_after = "7" if form == "seconds" else email.utils.formatdate(time.time() + 7, usegmt=True)
    server.faults.fail_next(1, status=429, retry_after=retry_after)
    exporter = make_exporter()
    export_interaction(tracer_for(exporter))
    assert exporter.force_flush(30_000)  # (real-time budget; the 7 s wait passes on the fake clock)
    assert server.store.count() == 1
    metrics = exporter.get_metrics()
    assert (metrics["sent"], metrics["dropped_total"], server.requests_seen) == (1, 0, 2)
    [wait] = clock.sleeps
    if form == "seconds":
        assert wait == 7.0
    else:  # an HTTP-date has one-second resolution
        assert 5.0 <= wait <= 8.0


def test_retry_after_beyond_the_deadline_gives_up_and_counts_the_drop(
    server: Any, clock: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server.faults.fail_next(1, status=429, retry_after="3600")
    exporter = make_exporter(retry_deadline=30.0)
    export_interaction(tracer_for(exporter))
    assert exporter.force_flush(5000)
    assert clock.sleeps == []
    assert server.store.count() == 0
    assert exporter.get_metrics()["dropped"] == {"retry_exhausted": 1}


def test_hung_endpoint_flush_and_shutdown_return_within_their_timeout(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, returned_on_time: Any
) -> None:
    server.faults.hang_next(10)
    # Real clock and real (interruptible) waits: this test is about a wall-time bound.
    exporter = make_exporter(clock=time.monotonic, sleep=None, timeout=10_000)
    export_interaction(tracer_for(exporter))
    assert server.faults.wait_for_held(1)

    started = time.monotonic()
    flushed = exporter.force_flush(500)
    flush_elapsed = time.monotonic() - started
    started = time.monotonic()
    exporter.shutdown(timeout_millis=500)
    shutdown_elapsed = time.monotonic() - started

    assert flushed is False
    # Waiting for the held request instead would take its 10 s timeout.
    assert returned_on_time(flush_elapsed, 0.5)
    assert returned_on_time(shutdown_elapsed, 0.5)
    # The interaction stuck in the abandoned request is counted, not silently lost.
    assert exporter.get_metrics()["dropped"] == {"shutdown": 1}
    assert exporter.get_metrics()["sent"] == 0 and server.store.count() == 0


def test_flush_cuts_the_request_timeout_to_its_budget_and_keeps_the_batch(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, returned_on_time: Any
) -> None:
    server.faults.hang_next(1)
    exporter = make_exporter(clock=time.monotonic, sleep=None, timeout=10_000, late_child_wait=60.0)
    export_interaction(tracer_for(exporter))  # held in the assembler: the flush itself starts the send

    started = time.monotonic()
    assert exporter.force_flush(400) is False
    assert returned_on_time(time.monotonic() - started, 0.4)  # an uncut attempt would wait its 10 s

    server.faults.release()
    assert exporter.force_flush(5000) is True
    assert server.store.count() == 1  # resent after the abandoned attempt, stored exactly once
    assert exporter.get_metrics()["dropped_total"] == 0


def test_batches_are_bounded_by_count_and_bytes(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, delivery: Any
) -> None:
    if not delivery.arrays:
        pytest.skip("arrays only: test_single_mode_sends_one_log_object_per_request covers the default")
    transport = RecordingTransport()
    exporter = make_exporter(transport=transport, late_child_wait=60.0, max_batch_size=10)
    tracer = tracer_for(exporter)
    for i in range(25):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert [len(body) for body in transport.decoded_bodies()] == [10, 10, 5]

    one_log = len(transport.requests[0][1]) // 10
    small = make_exporter(transport=(small_transport := RecordingTransport()), late_child_wait=60.0,
                          max_batch_bytes=one_log * 3)
    small_tracer = tracer_for(small)
    for i in range(7):
        export_interaction(small_tracer, 100 + i)
    assert small.force_flush(5000)
    assert all(len(body) <= one_log * 3 for _, body in small_transport.requests)
    assert sum(len(b) for b in small_transport.decoded_bodies()) == 7
    assert len(small_transport.requests) >= 3
    assert server.store.count() == 32


def test_gzip_bodies_are_sent_compressed_and_stored(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, delivery: Any
) -> None:
    transport = RecordingTransport()
    exporter = make_exporter(transport=transport, gzip=True, late_child_wait=60.0)
    tracer = tracer_for(exporter)
    for i in range(20):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert len(transport.requests) == (1 if delivery.arrays else 20)
    assert all(headers["content-encoding"] == "gzip" for headers, _ in transport.requests)
    if delivery.arrays:
        [(_, body)] = transport.requests
        assert len(body) < len(gzip.decompress(body)) / 3
    assert server.store.count() == 20


def test_wrong_key_is_rejected_and_counted(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    exporter = make_exporter(api_key="hp-wrong-key-000000000000", late_child_wait=60.0)
    tracer = tracer_for(exporter)
    for i in range(3):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert server.store.count() == 0
    assert exporter.get_metrics()["dropped"] == {"rejected": 3}


def test_interaction_larger_than_a_batch_is_dropped_as_too_large(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    exporter = make_exporter(max_batch_bytes=300)
    export_interaction(tracer_for(exporter))
    assert exporter.force_flush(5000)
    assert server.requests_seen == 0
    assert exporter.get_metrics()["dropped"] == {"too_large": 1}


def test_rate_limit_spaces_requests_on_the_fake_clock(
    server: Any, clock: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    exporter = make_exporter(rate_limit=2.0, burst=1, late_child_wait=60.0, max_batch_size=1)
    tracer = tracer_for(exporter)
    for i in range(3):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert server.store.count() == 3
    assert clock.sleeps == [0.5, 0.5]  # one token per half second after the burst of one


def test_sent_and_dropped_are_opentelemetry_metrics(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    exporter = make_exporter(meter_provider=provider, late_child_wait=60.0, max_queue_size=2)
    tracer = tracer_for(exporter)
    for i in range(2):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    server.faults.fail_next(1, status=400, body={"message": "bad batch"})
    export_interaction(tracer, 9)
    assert exporter.force_flush(5000)

    points: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}
    data = reader.get_metrics_data()
    assert data is not None
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    assert isinstance(point, NumberDataPoint)
                    attributes = tuple(sorted((point.attributes or {}).items()))
                    points[(metric.name, attributes)] = point.value
    assert points == {
        ("huggingplace.exporter.sent", ()): 2,
        ("huggingplace.exporter.dropped", (("reason", "rejected"),)): 1,
    }


def test_api_key_never_appears_in_repr_or_log_lines(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, caplog: Any, api_key: str
) -> None:
    caplog.set_level("DEBUG")
    server.faults.fail_next(1, status=503)
    server.faults.fail_next(1, status=401)
    exporter = make_exporter()
    export_interaction(tracer_for(exporter))
    assert exporter.force_flush(5000)
    assert api_key not in repr(exporter)
    assert caplog.records, "the retry and the rejection are logged"
    assert all(api_key not in record.getMessage() for record in caplog.records)


def test_export_after_shutdown_fails_without_raising(make_exporter: Any, tracer_for: Any) -> None:
    exporter: HuggingPlaceSpanExporter = make_exporter()
    exporter.shutdown(timeout_millis=1000)
    exporter.shutdown(timeout_millis=1000)  # idempotent
    from opentelemetry.sdk.trace.export import SpanExportResult

    assert exporter.export([]) is SpanExportResult.FAILURE
    assert exporter.force_flush(100) is True


def test_processor_shutdown_without_a_budget_still_delivers(
    server: Any, make_exporter: Any, export_interaction: Any
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    exporter = make_exporter(late_child_wait=60.0, atexit_timeout=0)  # at-exit hook off
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # its shutdown() passes no timeout
    tracer = provider.get_tracer("shutdown-test")
    export_interaction(tracer, 1)
    export_interaction(tracer, 2)
    provider.shutdown()
    assert sorted(log["user_prompt"] for log in server.store.logs()) == ["question 1", "question 2"]
    assert exporter.get_metrics()["dropped_total"] == 0
