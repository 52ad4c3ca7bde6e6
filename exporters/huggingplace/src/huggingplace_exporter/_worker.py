"""The exporter's single background worker: convert, batch, spool (write-ahead), send, settle.

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
from huggingplace_sdk._errors import ValidationError, is_retryable
from huggingplace_sdk._transport import SenderSettings
from huggingplace_sdk._wire import build_log_body, encode_json

from ._assembly import Interaction, TraceAssembler
from ._config import ExporterSettings
from ._convert import interaction_to_log_options
from ._delivery import BatchOutcome, BatchSender
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


@dataclass(slots=True)
class _Batch:
    body: bytes  # the JSON array as sent (uncompressed)
    message_ids: list[str]
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
        self._sender = BatchSender(sender_settings, transport=transport, sleep=self._sleep, gzip=settings.gzip)

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
        return len(self._queue) + len(self._encoded) + sum(len(b.message_ids) for b in self._ready)

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
                internal_error("convert", reraise=False)
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
