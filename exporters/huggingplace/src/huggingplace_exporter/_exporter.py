"""HuggingPlaceSpanExporter: spans -> one interaction log per trace root -> batches -> the logging API.

Threads: ``export()`` runs on the caller's thread (the app's with SimpleSpanProcessor) and only buffers
spans and enqueues finished interactions, O(spans), never blocking on I/O. One daemon worker thread
(:class:`DeliveryWorker`) converts, batches, spools and sends. ``force_flush``/``shutdown`` wait for the
worker at most their budget.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Final

import httpx
from opentelemetry.metrics import MeterProvider
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from huggingplace_sdk._ratelimit import TokenBucket
from huggingplace_sdk._retry import RetryPolicy
from huggingplace_sdk._transport import SenderSettings

from ._assembly import TraceAssembler
from ._config import ExporterSettings, resolve_connection, resolve_settings
from ._guard import internal_error
from ._metrics import ExporterMetrics
from ._worker import DeliveryWorker

_DEFAULT_FLUSH_TIMEOUT_MS: Final = 30_000
_DEFAULT_SHUTDOWN_TIMEOUT_S: Final = 5.0  # shutdown() without a budget when the at-exit hook is disabled


class HuggingPlaceSpanExporter(SpanExporter):
    """Turns each trace into one HuggingPlace interaction log and delivers them in batches.

    ``batch_format`` (``HUGGINGPLACE_EXPORTER_BATCH_FORMAT``): ``"single"`` (default, the published
    endpoint's contract: one log object per request, ``max_concurrent_requests`` at a time), ``"array"`` (one
    JSON array per batch, for servers that accept it) or ``"auto"`` (arrays once the server's
    ``GET /v1/capabilities`` says so; single objects otherwise, and after a server refused an array).

    Every argument is optional; connection settings fall back to ``HUGGINGPLACE_API_KEY``,
    ``HUGGINGPLACE_ORG_ID``, ``HUGGINGPLACE_BASE_URL``, ``HUGGINGPLACE_MODE``, ``HUGGINGPLACE_TIMEOUT``
    (milliseconds), and the exporter's own settings to ``HUGGINGPLACE_EXPORTER_<NAME>`` (see
    :class:`ExporterSettings`). ``transport``, ``clock`` and ``sleep`` are for tests.
    """

    def __init__(
        self,
        api_key: str | None = None,
        org_id: str | None = None,
        *,
        base_url: str | None = None,
        mode: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_deadline: float | None = None,
        rate_limit: float | None = None,
        burst: int | None = None,
        batch_format: str | None = None,
        max_concurrent_requests: int | None = None,
        max_batch_size: int | None = None,
        max_batch_bytes: int | None = None,
        max_queue_size: int | None = None,
        late_child_wait: float | None = None,
        partial_after: float | None = None,
        max_spans_per_trace: int | None = None,
        max_open_traces: int | None = None,
        gzip: bool | None = None,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_max_bytes: int | None = None,
        atexit_timeout: float | None = None,
        meter_provider: MeterProvider | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._connection = resolve_connection(
            {
                "api_key": api_key, "org_id": org_id, "base_url": base_url, "mode": mode, "timeout": timeout,
                "max_retries": max_retries, "retry_deadline": retry_deadline, "rate_limit": rate_limit,
                "burst": burst,
            }
        )
        self.settings: ExporterSettings = resolve_settings(
            {
                "batch_format": batch_format, "max_concurrent_requests": max_concurrent_requests,
                "max_batch_size": max_batch_size, "max_batch_bytes": max_batch_bytes,
                "max_queue_size": max_queue_size, "late_child_wait": late_child_wait,
                "partial_after": partial_after, "max_spans_per_trace": max_spans_per_trace,
                "max_open_traces": max_open_traces, "gzip": gzip, "spool_dir": spool_dir,
                "spool_max_bytes": spool_max_bytes, "atexit_timeout": atexit_timeout,
            }
        )
        self._meter_provider = meter_provider
        self._transport = transport
        self._clock = clock if clock is not None else time.monotonic
        self._injected_sleep = sleep
        self._shutdown_done = False
        self._init_runtime(adopt_spool=True)
        _live_exporters.add(self)
        if self.settings.atexit_timeout > 0:
            atexit.register(self._at_exit)
        if self._worker.has_backlog:
            self._worker.start()  # spooled batches from an earlier process go out now

    def __repr__(self) -> str:
        connection = self._connection
        return (
            f"HuggingPlaceSpanExporter(base_url={connection.base_url!r}, org_id={connection.org_id!r}, "
            f"api_key={connection.masked_api_key!r}, settings={self.settings!r})"
        )

    # --- state that a forked child rebuilds -----------------------------------------------------------

    def _init_runtime(self, *, adopt_spool: bool) -> None:
        settings = self.settings
        connection = self._connection
        self._pid = os.getpid()
        self._metrics = ExporterMetrics(self._meter_provider)
        self._assembler = TraceAssembler(
            late_child_wait=settings.late_child_wait,
            partial_after=settings.partial_after,
            max_spans_per_trace=settings.max_spans_per_trace,
            max_open_traces=settings.max_open_traces,
            clock=self._clock,
        )
        limiter = (
            TokenBucket(connection.rate_limit, connection.burst, self._clock)
            if connection.rate_limit is not None else None
        )
        self._sender_settings = SenderSettings(
            base_url=connection.base_url,
            api_key=connection.api_key,
            timeout_s=connection.timeout_s,
            retry_policy=RetryPolicy(max_retries=connection.max_retries, deadline_s=connection.retry_deadline_s),
            clock=self._clock,
            rate_limiter=limiter,
            log_format=connection.log_format,
        )
        self._worker = DeliveryWorker(
            settings=settings,
            connection=connection,
            assembler=self._assembler,
            metrics=self._metrics,
            sender_settings=self._sender_settings,
            transport=self._transport,
            clock=self._clock,
            sleep=self._injected_sleep,
            adopt_spool=adopt_spool,
        )

    def _after_fork_in_child(self) -> None:
        # The parent's queue, buffers and spool files stay the parent's: the child starts empty.
        self._init_runtime(adopt_spool=False)

    # --- SpanExporter ---------------------------------------------------------------------------------

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Buffer ``spans`` and enqueue finished interactions. Never blocks on I/O, never raises."""
        try:
            if self._pid != os.getpid():
                self._after_fork_in_child()
            if self._shutdown_done or self._worker.stopping:
                return SpanExportResult.FAILURE
            released = self._assembler.add(spans)
            if released:
                self._worker.enqueue(released)
            else:
                self._worker.start()  # it also watches the assembler's deadlines
            return SpanExportResult.SUCCESS
        except Exception:
            internal_error("export")
            return SpanExportResult.FAILURE

    def force_flush(self, timeout_millis: float = _DEFAULT_FLUSH_TIMEOUT_MS) -> bool:
        """Send every finished interaction; True when all were settled within ``timeout_millis``."""
        try:
            if self._shutdown_done:
                return True
            return self._worker.flush(time.monotonic() + max(0.0, timeout_millis) / 1000.0)
        except Exception:
            internal_error("force_flush")
            return False

    def shutdown(self, timeout_millis: float | None = None) -> None:
        """Flush within ``timeout_millis`` (default: the at-exit budget, else 5 s), then stop; idempotent."""
        try:
            if self._shutdown_done:
                return
            if timeout_millis is None:
                budget_s = self.settings.atexit_timeout or _DEFAULT_SHUTDOWN_TIMEOUT_S
            else:
                budget_s = max(0.0, timeout_millis) / 1000.0
            self._worker.stop(time.monotonic() + budget_s)
            self._shutdown_done = True
            with contextlib.suppress(Exception):
                atexit.unregister(self._at_exit)
        except Exception:
            self._shutdown_done = True
            internal_error("shutdown")

    def get_metrics(self) -> dict[str, Any]:
        """Counters: sent, dropped by reason, spooled, queue and buffer sizes, HTTP requests and retries."""
        snapshot = self._metrics.snapshot()
        counters = self._assembler.counters
        snapshot["queued"] = self._worker.queued()
        snapshot["open_traces"] = len(self._assembler)
        snapshot["spans_dropped"] = counters.spans_dropped_trace_full
        snapshot["traces_evicted"] = counters.traces_evicted
        snapshot["partial_interactions"] = counters.partial_interactions
        snapshot["spool_files"] = self._worker.spool_files()
        snapshot["http"] = self._sender_settings.metrics.snapshot()
        return snapshot

    def _at_exit(self) -> None:
        # Flush, not shut down: atexit runs last-registered first, so a TracerProvider created before this
        # exporter shuts down after us and hands its processors' last spans to export() then; its
        # shutdown() call (bounded by its own budget) delivers them with the worker still running.
        self.force_flush(self.settings.atexit_timeout * 1000.0)


# One fork hook for all exporters (os.register_at_fork cannot unregister).
_live_exporters: weakref.WeakSet[HuggingPlaceSpanExporter] = weakref.WeakSet()


def _reinit_after_fork() -> None:
    for exporter in list(_live_exporters):
        with contextlib.suppress(Exception):
            exporter._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reinit_after_fork)
