"""HuggingPlaceSpanExporter: spans -> one interaction log per trace root -> batches -> the logging API.

Threads: ``export()`` runs on the caller's thread (the app's with SimpleSpanProcessor) and only buffers
spans and enqueues finished interactions, O(spans), never blocking on I/O. One daemon worker thread
converts, batches, spools and sends. ``force_flush``/``shutdown`` wait for the worker at most their budget.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
from opentelemetry.metrics import MeterProvider
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from huggingplace_sdk._errors import ValidationError, is_retryable
from huggingplace_sdk._ratelimit import TokenBucket
from huggingplace_sdk._retry import RetryPolicy
from huggingplace_sdk._transport import SenderSettings
from huggingplace_sdk._wire import build_log_body, encode_json

from ._assembly import Interaction, TraceAssembler
from ._config import ExporterSettings, resolve_connection, resolve_settings
from ._convert import interaction_to_log_options
from ._delivery import BatchOutcome, BatchSender
from ._metrics import (
    DROP_INVALID,
    DROP_QUEUE_FULL,
    DROP_REJECTED,
    DROP_RETRY_EXHAUSTED,
    DROP_SHUTDOWN,
    DROP_SPOOL_OVERFLOW,
    DROP_TOO_LARGE,
    ExporterMetrics,
)
from ._spool import Spool, SpoolFile

_logger = logging.getLogger("huggingplace.exporter")

_POLL_INTERVAL_S: Final = 0.2  # longest the worker sleeps before looking at the assembler's deadlines
_SPOOL_RETRY_COOLDOWN_S: Final = 30.0  # after retries are exhausted, spooled batches rest this long
_DEFAULT_FLUSH_TIMEOUT_MS: Final = 30_000
_DEFAULT_SHUTDOWN_TIMEOUT_S: Final = 5.0  # shutdown() without a budget when the at-exit hook is disabled


@dataclass(slots=True)
class _Batch:
    body: bytes  # the JSON array as sent (uncompressed)
    message_ids: list[str]
    spool_file: SpoolFile | None = None


class HuggingPlaceSpanExporter(SpanExporter):
    """Turns each trace into one HuggingPlace interaction log and delivers them in batches.

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
        if self._backlog:
            self._ensure_worker()

    def __repr__(self) -> str:
        connection = self._connection
        return (
            f"HuggingPlaceSpanExporter(base_url={connection.base_url!r}, org_id={connection.org_id!r}, "
            f"api_key={connection.masked_api_key!r}, settings={self.settings!r})"
        )

    # --- state that a forked child rebuilds -----------------------------------------------------------

    def _init_runtime(self, *, adopt_spool: bool) -> None:
        settings = self.settings
        self._pid = os.getpid()
        self._cond = threading.Condition(threading.Lock())
        self._wake = threading.Event()  # set at shutdown: cuts retry waits short
        self._metrics = ExporterMetrics(self._meter_provider)
        self._assembler = TraceAssembler(
            late_child_wait=settings.late_child_wait,
            partial_after=settings.partial_after,
            max_spans_per_trace=settings.max_spans_per_trace,
            max_open_traces=settings.max_open_traces,
            clock=self._clock,
        )
        self._queue: deque[Interaction] = deque()
        self._encoded: deque[tuple[str, bytes]] = deque()  # converted, waiting for room in a batch
        # Batches built (and, with a spool, already on disk) waiting to be sent, oldest first; a batch
        # cut short by a flush budget goes back to the front.
        self._ready: deque[_Batch] = deque()
        self._blocked_until = 0.0  # clock time before which nothing is sent (a Retry-After or backoff)
        self._in_flight: _Batch | None = None
        self._spool: Spool | None = None
        self._backlog: deque[SpoolFile] = deque()
        self._backlog_not_before = 0.0
        if settings.spool_dir is not None:
            self._spool = Spool(
                Path(settings.spool_dir), settings.spool_max_bytes, adopt_existing=adopt_spool
            )
            self._backlog.extend(self._spool.pending())
        self._flush_requested = 0
        self._flush_done = 0
        self._flush_deadline: float | None = None
        self._stopping = False
        self._stop_deadline: float | None = None
        self._abandoned = False
        self._worker: threading.Thread | None = None
        connection = self._connection
        limiter = (
            TokenBucket(connection.rate_limit, connection.burst, self._clock)
            if connection.rate_limit is not None else None
        )
        self._sender_settings = SenderSettings(
            base_url=connection.base_url,
            api_key=connection.api_key,
            timeout_s=connection.timeout_s,
            retry_policy=RetryPolicy(
                max_retries=connection.max_retries, deadline_s=connection.retry_deadline_s
            ),
            clock=self._clock,
            rate_limiter=limiter,
            log_format=connection.log_format,
        )
        self._sleep = self._injected_sleep if self._injected_sleep is not None else self._interruptible_sleep
        self._sender = BatchSender(
            self._sender_settings, transport=self._transport, sleep=self._sleep, gzip=settings.gzip
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
            if self._shutdown_done or self._stopping:
                return SpanExportResult.FAILURE
            released = self._assembler.add(spans)
            if released:
                self._enqueue(released)
            elif self._worker is None:
                self._ensure_worker()
            return SpanExportResult.SUCCESS
        except Exception:
            _internal_error("export")
            return SpanExportResult.FAILURE

    def force_flush(self, timeout_millis: float = _DEFAULT_FLUSH_TIMEOUT_MS) -> bool:
        """Send every finished interaction; True when all were settled within ``timeout_millis``."""
        try:
            if self._shutdown_done:
                return True
            deadline = time.monotonic() + max(0.0, timeout_millis) / 1000.0
            self._ensure_worker()
            with self._cond:
                self._flush_requested += 1
                generation = self._flush_requested
                self._flush_deadline = deadline
                self._cond.notify_all()
                while self._flush_done < generation:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                return self._is_drained_locked()
        except Exception:
            _internal_error("force_flush")
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
            deadline = time.monotonic() + budget_s
            self._ensure_worker()
            with self._cond:
                self._stopping = True
                self._stop_deadline = deadline
                self._cond.notify_all()
            self._wake.set()  # cut a retry wait short
            worker = self._worker
            if worker is not None and worker is not threading.current_thread():
                worker.join(max(0.0, deadline - time.monotonic()))
            if worker is not None and worker.is_alive():
                self._abandon()
            else:
                self._sender.close()
            self._shutdown_done = True
            with contextlib.suppress(Exception):
                atexit.unregister(self._at_exit)
        except Exception:
            self._shutdown_done = True
            _internal_error("shutdown")

    # --- introspection --------------------------------------------------------------------------------

    def get_metrics(self) -> dict[str, Any]:
        """Counters: sent, dropped by reason, spooled, queue and buffer sizes, HTTP requests and retries."""
        snapshot = self._metrics.snapshot()
        counters = self._assembler.counters
        with self._cond:
            snapshot["queued"] = self._queued_locked()
        snapshot["open_traces"] = len(self._assembler)
        snapshot["spans_dropped"] = counters.spans_dropped_trace_full
        snapshot["traces_evicted"] = counters.traces_evicted
        snapshot["partial_interactions"] = counters.partial_interactions
        snapshot["spool_files"] = len(self._spool.pending()) if self._spool is not None else 0
        http = self._sender_settings.metrics.snapshot()
        snapshot["http"] = http
        return snapshot

    # --- app-side helpers -----------------------------------------------------------------------------

    def _enqueue(self, interactions: list[Interaction]) -> None:
        self._enqueue_bounded(interactions, notify=True)
        if self._worker is None:
            self._ensure_worker()

    def _enqueue_bounded(self, interactions: list[Interaction], *, notify: bool) -> None:
        with self._cond:
            room = max(0, self.settings.max_queue_size - self._queued_locked())
            overflow = max(0, len(interactions) - room)
            self._queue.extend(interactions[:room] if overflow else interactions)
            if notify:
                self._cond.notify()
        if overflow:
            self._metrics.dropped(DROP_QUEUE_FULL, overflow)

    def _queued_locked(self) -> int:
        """Interactions held in memory awaiting delivery (the queue bound covers all of them)."""
        return len(self._queue) + len(self._encoded) + sum(len(b.message_ids) for b in self._ready)

    def _ensure_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        with self._cond:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._run, name="huggingplace-exporter", daemon=True)
            self._worker.start()

    def _interruptible_sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)

    def _at_exit(self) -> None:
        self.shutdown(self.settings.atexit_timeout * 1000.0)

    def _abandon(self) -> None:
        """Shutdown's budget ran out with the worker still busy: account for what it still holds."""
        with self._cond:
            self._abandoned = True
            leftovers = list(self._queue)
            self._queue.clear()
            encoded = list(self._encoded)
            self._encoded.clear()
            batches = [*self._ready, *([self._in_flight] if self._in_flight is not None else [])]
            self._ready.clear()
        lost = len(leftovers) + len(encoded)
        lost += sum(len(b.message_ids) for b in batches if b.spool_file is None)
        self._metrics.dropped(DROP_SHUTDOWN, lost)

    # --- worker -----------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                with self._cond:
                    while not self._has_work_locked():
                        self._cond.wait(self._wait_time())
                    stopping = self._stopping
                    flush_generation = self._flush_requested
                    flushing = flush_generation > self._flush_done
                released = self._assembler.release_due(flush=flushing, final=stopping)
                if released:
                    self._enqueue_bounded(released, notify=False)
                self._drain()
                if stopping:
                    self._finish_stopping()
                    return
                with self._cond:
                    if flushing:
                        self._flush_done = flush_generation
                        self._cond.notify_all()
            except Exception:
                _internal_error("worker", reraise=False)
                with self._cond:
                    self._flush_done = self._flush_requested
                    self._cond.notify_all()
                    if self._stopping:
                        return

    def _has_work_locked(self) -> bool:
        if self._stopping or self._flush_requested > self._flush_done:
            return True
        if self._clock() < self._blocked_until:
            return False
        if self._queue or self._encoded or self._ready:
            return True
        if self._backlog and self._clock() >= self._backlog_not_before:
            return True
        deadline = self._assembler.next_deadline()
        return deadline is not None and deadline <= self._clock()

    def _wait_time(self) -> float:
        deadline = self._assembler.next_deadline()
        if deadline is None:
            return _POLL_INTERVAL_S
        return min(_POLL_INTERVAL_S, max(0.001, deadline - self._clock()))

    def _current_deadline(self) -> float | None:
        with self._cond:
            if self._stopping:
                return self._stop_deadline
            if self._flush_requested > self._flush_done:
                return self._flush_deadline
            return None

    def _is_drained_locked(self) -> bool:
        return not (
            self._queue or self._encoded or self._backlog or self._ready or self._in_flight
        )

    def _drain(self) -> None:
        """Send batches until nothing is left or the current flush/shutdown budget runs out."""
        while True:
            deadline = self._current_deadline()
            budget = None if deadline is None else deadline - time.monotonic()
            if budget is not None and budget <= 0:
                return
            blocked = self._blocked_until - self._clock()
            if blocked > 0:
                if budget is not None and blocked >= budget:
                    return  # honouring the server's wait does not fit in this flush
                self._sleep(blocked)
                continue
            batch = self._next_batch()
            if batch is None:
                return
            with self._cond:
                self._in_flight = batch
            outcome = self._sender.send(batch.body, batch.message_ids, budget_s=budget)
            with self._cond:
                self._in_flight = None
                if self._abandoned:
                    return
            self._settle(batch, outcome)
            if outcome.budget_limited:
                return

    def _next_batch(self) -> _Batch | None:
        if self._spool is not None:
            # Write-ahead: everything queued goes to disk before anything more is sent.
            while (built := self._build_batch(write_ahead=True)) is not None:
                with self._cond:
                    self._ready.append(built)
        with self._cond:
            if self._ready:
                return self._ready.popleft()
        while self._backlog and self._clock() >= self._backlog_not_before:
            spooled = self._backlog.popleft()
            body = self._spool.read(spooled) if self._spool is not None else None
            if body is not None:  # None: evicted by the size cap meanwhile (already counted)
                return _Batch(body, _message_ids_of(body), spooled)
        return self._build_batch(write_ahead=True)

    def _build_batch(self, *, write_ahead: bool) -> _Batch | None:
        """Convert queued interactions into one batch bounded by count and bytes."""
        settings = self.settings
        ids: list[str] = []
        parts: list[bytes] = []
        size = 2  # the brackets
        while len(ids) < settings.max_batch_size:
            item = self._next_encoded()
            if item is None:
                break
            message_id, encoded = item
            extra = len(encoded) + (1 if parts else 0)
            if size + extra > settings.max_batch_bytes:
                if not parts:
                    self._metrics.dropped(DROP_TOO_LARGE)
                    continue
                with self._cond:
                    self._encoded.appendleft(item)
                break
            ids.append(message_id)
            parts.append(encoded)
            size += extra
        if not parts:
            return None
        batch = _Batch(b"[" + b",".join(parts) + b"]", ids)
        if write_ahead and self._spool is not None:
            self._write_spool(batch)
        return batch

    def _next_encoded(self) -> tuple[str, bytes] | None:
        while True:
            with self._cond:
                if self._encoded:
                    return self._encoded.popleft()
                if not self._queue:
                    return None
                interaction = self._queue.popleft()
            try:
                body = build_log_body(
                    interaction_to_log_options(interaction),
                    org_id=self._connection.org_id,
                    mode=self._connection.mode,
                )
                return body["message_id"], encode_json(body)
            except ValidationError:
                _logger.warning("huggingplace exporter: an interaction could not be built", exc_info=True)
                self._metrics.dropped(DROP_INVALID)
            except Exception:
                _internal_error("convert", reraise=False)
                self._metrics.dropped(DROP_INVALID)

    def _write_spool(self, batch: _Batch) -> None:
        assert self._spool is not None
        try:
            spooled, evicted = self._spool.write(batch.body, len(batch.message_ids))
        except OSError:
            _logger.warning("huggingplace exporter: spool write failed; sending without it", exc_info=True)
            return
        batch.spool_file = spooled
        if spooled is not None:
            self._metrics.spooled(len(batch.message_ids))
        if evicted:
            self._metrics.dropped(DROP_SPOOL_OVERFLOW, evicted)

    def _settle(self, batch: _Batch, outcome: BatchOutcome) -> None:
        error = outcome.error
        count = len(batch.message_ids)
        if error is None:
            self._metrics.sent(outcome.stored + outcome.duplicates, duplicates=outcome.duplicates)
            if outcome.rejected:
                self._metrics.dropped(DROP_REJECTED, len(outcome.rejected))
            self._delete_spool(batch)
            return
        if outcome.budget_limited:
            with self._cond:
                self._ready.appendleft(batch)  # not a failure: a flush or shutdown ran out of time
                self._blocked_until = self._clock() + outcome.retry_in
            return
        if is_retryable(error):
            if batch.spool_file is not None:
                # Kept on disk: retried after a cooldown, or by the next process on this spool.
                self._backlog.append(batch.spool_file)
                self._backlog_not_before = self._clock() + _SPOOL_RETRY_COOLDOWN_S
                return
            self._metrics.dropped(DROP_RETRY_EXHAUSTED, count)
            return
        # Not retryable (401/403, 400/422, other 4xx): resending the same bytes cannot succeed.
        self._metrics.dropped(DROP_TOO_LARGE if error.status_code == 413 else DROP_REJECTED, count)
        self._delete_spool(batch)

    def _delete_spool(self, batch: _Batch) -> None:
        if self._spool is not None and batch.spool_file is not None:
            self._spool.delete(batch.spool_file)

    def _finish_stopping(self) -> None:
        """The shutdown budget is over or everything is sent: spool or count what is left."""
        with self._cond:
            if self._abandoned:
                return
        if self._spool is not None:
            while (built := self._build_batch(write_ahead=True)) is not None:
                with self._cond:
                    self._ready.append(built)
        with self._cond:
            # Spooled batches are not lost: the next process on this spool sends them.
            left = sum(len(b.message_ids) for b in self._ready if b.spool_file is None)
            left += len(self._queue) + len(self._encoded)
            self._ready.clear()
            self._queue.clear()
            self._encoded.clear()
            self._flush_done = self._flush_requested
            self._cond.notify_all()
        self._metrics.dropped(DROP_SHUTDOWN, left)


def _message_ids_of(body: bytes) -> list[str]:
    try:
        items = json.loads(body)
    except ValueError:
        return []
    return [str(item.get("message_id")) for item in items if isinstance(item, dict)]


def _internal_error(where: str, *, reraise: bool = True) -> None:
    """Our bug must never reach the app; under pytest it should fail the test loudly instead."""
    if reraise and os.environ.get("PYTEST_CURRENT_TEST"):
        raise
    _logger.exception("huggingplace exporter: internal error in %s", where)


# One fork hook for all exporters (os.register_at_fork cannot unregister).
_live_exporters: weakref.WeakSet[HuggingPlaceSpanExporter] = weakref.WeakSet()


def _reinit_after_fork() -> None:
    for exporter in list(_live_exporters):
        with contextlib.suppress(Exception):
            exporter._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reinit_after_fork)
