"""The exporter's single background worker: convert, batch, spool (write-ahead), send, settle.

A batch is sent as one request per log (the default, the published contract) or as one JSON array; either
way every log is settled on its own: sent, dropped with a reason, or kept (spool / retry) until it is.

The app side only calls :meth:`DeliveryWorker.enqueue` (O(interactions), never I/O) and the flush/stop
requests, which wait at most their budget. Everything else runs on the worker thread.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from huggingplace_sdk._config import ClientConfig
from huggingplace_sdk._errors import HuggingPlaceError, ValidationError, is_retryable
from huggingplace_sdk._transport import SenderSettings
from huggingplace_sdk._wire import build_encoded_log, encode_json

from ._assembly import Interaction, TraceAssembler
from ._config import BATCH_FORMAT_ARRAY, BATCH_FORMAT_AUTO, ExporterSettings
from ._convert import interaction_to_log_options
from ._delivery import BatchOutcome, BatchSender, EncodedLog, PostOutcome
from ._guard import internal_error
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
# Answers to an array that mean "this server takes one object per request" (auto mode then falls back).
_ARRAY_REFUSED_STATUSES: Final = frozenset({400, 404, 405, 413, 415, 422})


@dataclass(slots=True)
class _Batch:
    logs: list[EncodedLog]  # each log's message id and bytes, exactly as sent
    spool_file: SpoolFile | None = None


class DeliveryWorker:
    """Owns the queue, the ready batches, the spool backlog and the one thread that sends them."""

    def __init__(
        self,
        *,
        settings: ExporterSettings,
        connection: ClientConfig,
        assembler: TraceAssembler,
        metrics: ExporterMetrics,
        sender_settings: SenderSettings,
        transport: httpx.BaseTransport | None,
        clock: Callable[[], float],
        sleep: Callable[[float], None] | None,
        adopt_spool: bool,
    ) -> None:
        self.settings = settings
        self._connection = connection
        self._assembler = assembler
        self._metrics = metrics
        self._clock = clock
        self._cond = threading.Condition(threading.Lock())
        self._wake = threading.Event()  # set at stop: cuts retry waits short
        self._queue: deque[Interaction] = deque()
        self._encoded: deque[tuple[str, bytes]] = deque()  # converted, waiting for room in a batch
        # Batches built (and, with a spool, already on disk) waiting to be sent, oldest first; a batch
        # cut short by a flush budget goes back to the front.
        self._ready: deque[_Batch] = deque()
        self._blocked_until = 0.0  # clock time before which nothing is sent (a Retry-After or backoff)
        self._in_flight: _Batch | None = None
        # Interactions the worker took out of the queue for the batch it is building (converting, spooling):
        # still held in memory, so the queue bound and a shutdown's drop count include them.
        self._building = 0
        self._spool: Spool | None = None
        self._backlog: deque[SpoolFile] = deque()
        self._backlog_not_before = 0.0
        if settings.spool_dir is not None:
            self._spool = Spool(Path(settings.spool_dir), settings.spool_max_bytes, adopt_existing=adopt_spool)
            self._backlog.extend(self._spool.pending())
        self._flush_requested = 0
        self._flush_done = 0
        self._flush_deadline: float | None = None
        self._stopping = False
        self._stop_deadline: float | None = None
        self._abandoned = False
        self._thread: threading.Thread | None = None
        self._sleep = sleep if sleep is not None else self._interruptible_sleep
        self._sender = BatchSender(
            sender_settings, transport=transport, sleep=self._sleep, gzip=settings.gzip,
            concurrency=settings.max_concurrent_requests,
        )
        # Whether batches go out as arrays: fixed by the settings, or (auto) asked of the server once.
        self._arrays: bool | None = {BATCH_FORMAT_ARRAY: True, BATCH_FORMAT_AUTO: None}.get(
            settings.batch_format, False
        )

    # --- app side -------------------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def has_backlog(self) -> bool:
        return bool(self._backlog)

    def enqueue(self, interactions: list[Interaction]) -> None:
        self._enqueue_bounded(interactions, notify=True)
        self.start()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._cond:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="huggingplace-exporter", daemon=True)
            self._thread.start()

    def flush(self, deadline: float) -> bool:
        """Ask for everything finished to be sent; wait until ``deadline`` (time.monotonic) at most."""
        self.start()
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

    def stop(self, deadline: float) -> None:
        """Send what fits before ``deadline``, spool or count the rest, and stop the thread."""
        self.start()
        with self._cond:
            self._stopping = True
            self._stop_deadline = deadline
            self._cond.notify_all()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
        if thread is not None and thread.is_alive():
            self._abandon()
        else:
            self._sender.close()

    def queued(self) -> int:
        with self._cond:
            return self._queued_locked()

    def spool_files(self) -> int:
        return len(self._spool.pending()) if self._spool is not None else 0

    def _interruptible_sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)

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
        return len(self._queue) + len(self._encoded) + self._building + sum(len(b.logs) for b in self._ready)

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
            # With a spool the batch being built is written to disk before anything else (the next process
            # sends it); without one it exists only in this worker's hands.
            building = self._building if self._spool is None else 0
        lost = len(leftovers) + len(encoded) + building
        lost += sum(len(b.logs) for b in batches if b.spool_file is None)
        self._metrics.dropped(DROP_SHUTDOWN, lost)

    # --- worker thread ----------------------------------------------------------------------------------

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
                internal_error("worker", reraise=False)
                with self._cond:
                    self._building = 0  # a batch cut short by the error is gone; keep the queue bound right
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
            batch = self._next_batch()  # already marked in flight: never out of sight of a shutdown's count
            if batch is None:
                return
            with self._cond:
                if self._abandoned:
                    return  # shutdown gave up on this worker and counted what it held: send nothing more
            if self._send_arrays(budget):
                outcome = self._sender.send_array(batch.logs, budget_s=budget)
                outcomes: list[PostOutcome] | None = None
            else:
                outcomes = self._sender.send_each(batch.logs, budget_s=budget)
            with self._cond:
                self._in_flight = None
                if self._abandoned:
                    return
            if outcomes is None:
                self._settle_array(batch, outcome)
                if outcome.budget_limited:
                    return
            elif self._settle_each(batch, outcomes):
                return

    def _send_arrays(self, budget: float | None) -> bool:
        if self._arrays is None:
            self._arrays = self._sender.server_accepts_arrays(budget_s=budget)
            _logger.info(
                "huggingplace exporter: the server %s JSON array batches",
                "accepts" if self._arrays else "does not announce",
            )
        return self._arrays

    def _next_batch(self) -> _Batch | None:
        if self._spool is not None:
            # Write-ahead: everything queued goes to disk before anything more is sent.
            while (built := self._build_batch(write_ahead=True)) is not None:
                with self._cond:
                    self._building -= len(built.logs)
                    self._ready.append(built)
        with self._cond:
            if self._ready:
                self._in_flight = self._ready.popleft()
                return self._in_flight
        while self._backlog and self._clock() >= self._backlog_not_before:
            spooled = self._backlog.popleft()
            body = self._spool.read(spooled) if self._spool is not None else None
            if body is not None:  # None: evicted by the size cap meanwhile (already counted)
                with self._cond:
                    self._in_flight = _Batch(_logs_of(body), spooled)
                    return self._in_flight
        built = self._build_batch(write_ahead=True)
        if built is not None:
            with self._cond:
                self._building -= len(built.logs)
                self._in_flight = built
        return built

    def _build_batch(self, *, write_ahead: bool) -> _Batch | None:
        """Convert queued interactions into one batch bounded by count and bytes."""
        settings = self.settings
        parts: list[EncodedLog] = []
        size = 2  # the brackets (array mode); single-object requests are smaller still
        while len(parts) < settings.max_batch_size:
            item = self._next_encoded()
            if item is None:
                break
            encoded = item[1]
            extra = len(encoded) + (1 if parts else 0)  # the comma
            if size + extra > settings.max_batch_bytes:
                with self._cond:
                    self._building -= 1
                    if parts:
                        self._encoded.appendleft(item)  # back in the queue's count: the next batch takes it
                if not parts:
                    self._metrics.dropped(DROP_TOO_LARGE)
                    continue
                break
            parts.append(item)
            size += extra
        if not parts:
            return None
        batch = _Batch(parts)
        if write_ahead and self._spool is not None:
            self._write_spool(batch)
        return batch

    def _next_encoded(self) -> tuple[str, bytes] | None:
        while True:
            with self._cond:
                if self._encoded:
                    self._building += 1
                    return self._encoded.popleft()
                if not self._queue:
                    return None
                interaction = self._queue.popleft()
                self._building += 1
            try:
                return build_encoded_log(
                    interaction_to_log_options(interaction),
                    org_id=self._connection.org_id,
                    mode=self._connection.mode,
                )
            except ValidationError:
                _logger.warning("huggingplace exporter: an interaction could not be built", exc_info=True)
            except Exception:
                internal_error("convert", reraise=False)
            with self._cond:
                self._building -= 1
            self._metrics.dropped(DROP_INVALID)

    def _write_spool(self, batch: _Batch) -> None:
        assert self._spool is not None
        try:
            spooled, evicted = self._spool.write(_spool_body(batch.logs), len(batch.logs))
        except OSError:
            _logger.warning("huggingplace exporter: spool write failed; sending without it", exc_info=True)
            return
        batch.spool_file = spooled
        if spooled is not None:
            self._metrics.spooled(len(batch.logs))
        if evicted:
            self._metrics.dropped(DROP_SPOOL_OVERFLOW, evicted)

    def _settle_array(self, batch: _Batch, outcome: BatchOutcome) -> None:
        error = outcome.error
        count = len(batch.logs)
        if (
            error is not None and not outcome.budget_limited and self._arrays
            and self.settings.batch_format == BATCH_FORMAT_AUTO and error.status_code in _ARRAY_REFUSED_STATUSES
        ):
            # The server refused the array as a whole, so it stored none of it: resend each log on its own.
            _logger.warning("huggingplace exporter: the server refused a JSON array (%s); sending one log "
                            "per request from now on", error.status_code)
            self._arrays = False
            with self._cond:
                self._ready.appendleft(batch)
            return
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

    def _settle_each(self, batch: _Batch, outcomes: list[PostOutcome]) -> bool:
        """Settle every log of a batch sent one per request; True when a budget cut the send short."""
        stored = duplicates = rejected = too_large = 0
        owed: list[EncodedLog] = []  # not settled yet: resent later, in batch order
        budget_limited = retry_exhausted = 0
        retry_in = 0.0
        for log, outcome in zip(batch.logs, outcomes, strict=True):
            error = outcome.error
            if error is None:
                stored += 1
                if isinstance(outcome.result, dict) and outcome.result.get("duplicate") is True:
                    duplicates += 1
            elif outcome.budget_limited:
                owed.append(log)
                budget_limited += 1
                retry_in = max(retry_in, outcome.retry_in)
            elif is_retryable(error):
                if batch.spool_file is not None:
                    owed.append(log)  # kept on disk: retried after a cooldown, or by the next process
                else:
                    retry_exhausted += 1
            elif _is_too_large(error):
                too_large += 1
            else:
                rejected += 1  # 401/403, 400/422, other 4xx: resending the same bytes cannot succeed
        self._metrics.sent(stored, duplicates=duplicates)
        self._metrics.dropped(DROP_REJECTED, rejected)
        self._metrics.dropped(DROP_TOO_LARGE, too_large)
        self._metrics.dropped(DROP_RETRY_EXHAUSTED, retry_exhausted)
        spool_file = self._respool(batch, owed)
        if budget_limited:
            with self._cond:
                self._ready.appendleft(_Batch(owed, spool_file))  # a flush or shutdown ran out of time
                self._blocked_until = self._clock() + retry_in
            return True
        if owed and spool_file is not None:
            self._backlog.append(spool_file)
            self._backlog_not_before = self._clock() + _SPOOL_RETRY_COOLDOWN_S
        return False

    def _respool(self, batch: _Batch, owed: list[EncodedLog]) -> SpoolFile | None:
        """Keep on disk exactly the logs still owed (none: the file goes)."""
        if self._spool is None or batch.spool_file is None:
            return None
        if not owed:
            self._spool.delete(batch.spool_file)
            return None
        if len(owed) == len(batch.logs):
            return batch.spool_file
        try:
            return self._spool.replace(batch.spool_file, _spool_body(owed), len(owed))
        except OSError:
            _logger.warning("huggingplace exporter: spool rewrite failed; keeping the whole batch", exc_info=True)
            return batch.spool_file  # resending the settled logs too is harmless: message ids de-duplicate

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
            left = sum(len(b.logs) for b in self._ready if b.spool_file is None)
            left += len(self._queue) + len(self._encoded)
            self._ready.clear()
            self._queue.clear()
            self._encoded.clear()
            self._flush_done = self._flush_requested
            self._cond.notify_all()
        self._metrics.dropped(DROP_SHUTDOWN, left)


def _spool_body(logs: list[EncodedLog]) -> bytes:
    """One log per line, each exactly as sent (compact JSON escapes every newline inside strings)."""
    return b"\n".join(encoded for _, encoded in logs) + b"\n"


def _logs_of(body: bytes) -> list[EncodedLog]:
    """The logs of a spool file: JSON lines, or a JSON array as earlier versions wrote."""
    if body.lstrip().startswith(b"["):
        try:
            items = json.loads(body)
        except ValueError:
            return []
        return [(str(item.get("message_id")), encode_json(item)) for item in items if isinstance(item, dict)]
    logs: list[EncodedLog] = []
    for line in body.split(b"\n"):
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            logs.append((str(item.get("message_id")), line))
    return logs


def _is_too_large(error: HuggingPlaceError) -> bool:
    return error.status_code == 413
