"""POST logs with the client's retry policy, error mapping and metrics: one log per request, or an array.

The attempt loop mirrors ``SyncSender.post`` but takes pre-encoded bytes (the spool keeps exactly what is
sent), optional gzip, and a per-call budget: the retry deadline and every attempt's timeout are cut to the
time a flush or shutdown has left, so the worker's HTTP calls can always be abandoned on time. Waits between
attempts go through ``sleep``, which the exporter makes interruptible at shutdown.

Single-object mode (the published contract) sends the logs of a batch as separate requests, at most
``concurrency`` at a time, over one keep-alive connection pool; each log has its own retries and outcome.
"""

from __future__ import annotations

import dataclasses
import gzip as gzip_module
import itertools
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
from opentelemetry.instrumentation.utils import suppress_http_instrumentation, suppress_instrumentation

from huggingplace_sdk._errors import HuggingPlaceError, is_retryable
from huggingplace_sdk._retry import RetrySchedule
from huggingplace_sdk._transport import SenderSettings, _SenderCore
from huggingplace_sdk._wire import CAPABILITIES_PATH, CAPABILITY_ARRAY_BATCHES, LOG_PATH

from ._guard import internal_error
from ._keepalive import KeepAliveConnections, direct_connection_possible

_GZIP_LEVEL: Final = 5  # most of the size win of level 9 for a fraction of the CPU
_CAPABILITIES_TIMEOUT_S: Final = 5.0

# One log as sent: its message id and its JSON bytes (uncompressed), never re-encoded.
EncodedLog = tuple[str, bytes]


@dataclass(slots=True)
class PostOutcome:
    """What became of one POST (after its retries): the 2xx JSON, or the error that ended it."""

    result: Any = None
    error: HuggingPlaceError | None = None
    budget_limited: bool = False  # the send gave up because the caller's budget ran out, not the policy
    retry_in: float = 0.0  # when budget_limited: the wait the policy (or Retry-After) still asked for


@dataclass(slots=True)
class BatchOutcome:
    """What became of an array batch: counts by result, or the error that ended the send."""

    stored: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)  # message ids the server refused
    error: HuggingPlaceError | None = None
    budget_limited: bool = False
    retry_in: float = 0.0


class BatchSender:
    """Used by the exporter's single worker thread; single-object sends fan out to a small thread pool."""

    def __init__(
        self,
        settings: SenderSettings,
        *,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
        gzip: bool,
        concurrency: int = 1,
    ) -> None:
        self._settings = settings
        self._core = _SenderCore(settings)
        self._sleep = sleep
        self._gzip = gzip
        self._http = httpx.Client(
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._url = self._core.url(LOG_PATH)
        self._pool = _SendPool(concurrency)
        # The lean keep-alive path unless a test injected a transport or a proxy is configured.
        self._direct = (
            KeepAliveConnections(settings.base_url)
            if transport is None and direct_connection_possible(settings.base_url) else None
        )

    # --- the published contract: one log object per request ---------------------------------------------

    def send_each(self, logs: Sequence[EncodedLog], *, budget_s: float | None = None) -> list[PostOutcome]:
        """POST every log on its own, ``concurrency`` at a time; one outcome per log, in order."""
        return self._pool.run_all(lambda log: self._post_guarded(log[1], log[0], budget_s), logs)

    def _post_guarded(self, body: bytes, label: str, budget_s: float | None) -> PostOutcome:
        try:
            return self.post(body, label, budget_s=budget_s)
        except Exception:
            internal_error("send", reraise=False)
            return PostOutcome(error=HuggingPlaceError("internal error while sending"))

    # --- opt-in: a JSON array of logs per request ----------------------------------------------------------

    def send_array(self, logs: Sequence[EncodedLog], *, budget_s: float | None = None) -> BatchOutcome:
        """POST the logs as one JSON array; never raises an HTTP or HuggingPlace error."""
        ids = [message_id for message_id, _ in logs]
        body = b"[" + b",".join(encoded for _, encoded in logs) + b"]"
        label = ids[0] if len(ids) == 1 else f"batch of {len(ids)}"
        posted = self.post(body, label, budget_s=budget_s)
        if posted.error is not None:
            return BatchOutcome(error=posted.error, budget_limited=posted.budget_limited, retry_in=posted.retry_in)
        return _read_results(posted.result, ids)

    def server_accepts_arrays(self, *, budget_s: float | None = None) -> bool:
        """Ask the server's capability document; anything but an explicit yes means single objects."""
        timeout = _CAPABILITIES_TIMEOUT_S if budget_s is None else max(0.05, min(_CAPABILITIES_TIMEOUT_S, budget_s))
        try:
            with suppress_instrumentation(), suppress_http_instrumentation():
                response = self._http.get(
                    self._core.url(CAPABILITIES_PATH), headers=self._core.headers, timeout=timeout
                )
            document = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return False
        return isinstance(document, dict) and document.get(CAPABILITY_ARRAY_BATCHES) is True

    # --- one request with its retries ---------------------------------------------------------------------

    def post(self, body: bytes, label: str, *, budget_s: float | None = None) -> PostOutcome:
        """POST ``body`` to the log endpoint; never raises an HTTP or HuggingPlace error. Thread-safe."""
        settings = self._settings
        policy = settings.retry_policy
        limited = budget_s is not None and budget_s < policy.deadline_s
        if limited:
            policy = dataclasses.replace(policy, deadline_s=max(0.0, budget_s or 0.0))
        schedule = RetrySchedule(policy, settings.clock)
        send_started = settings.clock()
        content = gzip_module.compress(body, _GZIP_LEVEL) if self._gzip else body
        headers = self._core.headers
        if self._gzip:
            headers = {**headers, "Content-Encoding": "gzip"}
        settings.metrics.record_request()
        attempt = 0
        # Our own HTTP call must not become a span (an instrumented httpx would feed us back our traffic).
        with suppress_instrumentation(), suppress_http_instrumentation():
            while True:
                attempt += 1
                if settings.rate_limiter is not None:
                    wait = settings.rate_limiter.reserve()
                    if wait > 0:
                        self._sleep(wait)
                started = settings.clock()
                status: int | None = None
                error: HuggingPlaceError | None = None
                result: Any = None
                try:
                    timeout = self._core.attempt_timeout(schedule)
                    if self._direct is not None:
                        response = self._direct.post(LOG_PATH, content, headers, timeout.read or 0.0)
                    else:
                        response = self._http.post(self._url, content=content, headers=headers, timeout=timeout)
                    status = response.status_code
                    result = self._core.result_or_error(response, "POST", LOG_PATH)
                except httpx.HTTPError as exc:
                    error = self._core.error_from_exception(exc, "POST", LOG_PATH)
                except HuggingPlaceError as exc:
                    error = exc
                try:
                    delay = self._core.after_attempt(
                        schedule, method="POST", path=LOG_PATH, attempt=attempt, started=started,
                        status=status, error=error, message_id=label,
                    )
                except HuggingPlaceError as final:
                    # Under a shortened deadline a retryable error with attempts left is the budget's doing.
                    full = settings.retry_policy
                    if limited and is_retryable(final) and schedule.retries < full.max_retries:
                        retry_after = getattr(final, "retry_after", None)
                        retry_in = retry_after if retry_after is not None else full.backoff(schedule.retries)
                        # Only the budget's doing if the full policy would still have waited and retried.
                        if retry_in <= full.deadline_s - (settings.clock() - send_started):
                            return PostOutcome(error=final, budget_limited=True, retry_in=retry_in)
                    return PostOutcome(error=final)
                if delay is None:
                    return PostOutcome(result=result)
                self._sleep(delay)

    def close(self) -> None:
        self._http.close()
        if self._direct is not None:
            self._direct.close()


def _read_results(result: Any, message_ids: list[str]) -> BatchOutcome:
    """Read the server's batch answer; a 2xx without per-item results means every item was stored."""
    outcome = BatchOutcome()
    items = result.get("results") if isinstance(result, dict) else None
    if not isinstance(items, list):
        outcome.stored = len(message_ids)
        return outcome
    for item in items:
        status = item.get("status") if isinstance(item, dict) else None
        if status == "duplicate":
            outcome.duplicates += 1
        elif status == "rejected":
            outcome.rejected.append(str(item.get("message_id")))
        else:
            outcome.stored += 1
    return outcome


class _SendPool:
    """``size`` workers: the calling thread plus ``size - 1`` daemon helpers, started on first use.

    Daemon threads (not a ThreadPoolExecutor, whose workers are joined at interpreter exit): a request held
    by a hung server must never keep the application from exiting.
    """

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._helpers = 0
        self._lock = threading.Lock()

    def run_all(self, fn: Callable[[Any], PostOutcome], items: Sequence[Any]) -> list[PostOutcome]:
        count = len(items)
        helpers = min(self._size - 1, count - 1)
        if helpers <= 0:
            return [fn(item) for item in items]
        self._ensure_helpers(helpers)
        results: list[PostOutcome | None] = [None] * count
        next_index = itertools.count().__next__  # atomic under the GIL: each index is taken once
        finished = threading.Semaphore(0)

        def work() -> None:
            while (index := next_index()) < count:
                results[index] = fn(items[index])

        def helper_job() -> None:
            try:
                work()
            finally:
                finished.release()

        for _ in range(helpers):
            self._jobs.put(helper_job)
        work()
        for _ in range(helpers):
            finished.acquire()
        missing = HuggingPlaceError("internal error: no outcome for a log")
        return [result if result is not None else PostOutcome(error=missing) for result in results]

    def _ensure_helpers(self, wanted: int) -> None:
        with self._lock:
            while self._helpers < wanted:
                self._helpers += 1
                threading.Thread(
                    target=self._serve, name=f"huggingplace-exporter-send-{self._helpers}", daemon=True
                ).start()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # a helper must survive its job, or later batches would wait for it forever
                internal_error("send pool", reraise=False)
