"""Post one batch (a JSON array, already encoded) with the client's retry policy, error mapping and metrics.

The attempt loop mirrors ``SyncSender.post`` but takes pre-encoded bytes (the spool keeps exactly what is
sent), optional gzip, and a per-call budget: the retry deadline and every attempt's timeout are cut to the
time a flush or shutdown has left, so the worker's HTTP call can always be abandoned on time. Waits between
attempts go through ``sleep``, which the exporter makes interruptible at shutdown.
"""

from __future__ import annotations

import dataclasses
import gzip as gzip_module
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from opentelemetry.instrumentation.utils import suppress_http_instrumentation, suppress_instrumentation

from huggingplace_sdk._errors import HuggingPlaceError, is_retryable
from huggingplace_sdk._retry import RetrySchedule
from huggingplace_sdk._transport import SenderSettings, _SenderCore
from huggingplace_sdk._wire import LOG_PATH

_GZIP_LEVEL = 5  # most of the size win of level 9 for a fraction of the CPU


@dataclass(slots=True)
class BatchOutcome:
    """What became of a batch: counts by result, or the error that ended the send."""

    stored: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)  # message ids the server refused
    error: HuggingPlaceError | None = None
    budget_limited: bool = False  # the send gave up because the caller's budget ran out, not the policy
    retry_in: float = 0.0  # when budget_limited: the wait the policy (or Retry-After) still asked for


class BatchSender:
    """Not thread-safe: used by the exporter's single worker thread."""

    def __init__(
        self,
        settings: SenderSettings,
        *,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
        gzip: bool,
    ) -> None:
        self._settings = settings
        self._core = _SenderCore(settings)
        self._sleep = sleep
        self._gzip = gzip
        self._http = httpx.Client(transport=transport, follow_redirects=False)
        self._url = self._core.url(LOG_PATH)

    def send(self, body: bytes, message_ids: list[str], *, budget_s: float | None = None) -> BatchOutcome:
        """POST ``body`` (a JSON array of log bodies); never raises an HTTP or HuggingPlace error."""
        settings = self._settings
        policy = settings.retry_policy
        limited = budget_s is not None and budget_s < policy.deadline_s
        if limited:
            policy = dataclasses.replace(policy, deadline_s=max(0.0, budget_s or 0.0))
        schedule = RetrySchedule(policy, settings.clock)
        send_started = settings.clock()
        content = gzip_module.compress(body, _GZIP_LEVEL) if self._gzip else body
        headers = dict(self._core.headers)
        if self._gzip:
            headers["Content-Encoding"] = "gzip"
        settings.metrics.record_request()
        label = message_ids[0] if len(message_ids) == 1 else f"batch of {len(message_ids)}"
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
                    response = self._http.post(
                        self._url, content=content, headers=headers,
                        timeout=self._core.attempt_timeout(schedule),
                    )
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
                            return BatchOutcome(error=final, budget_limited=True, retry_in=retry_in)
                    return BatchOutcome(error=final)
                if delay is None:
                    return _read_results(result, message_ids)
                self._sleep(delay)

    def close(self) -> None:
        self._http.close()


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
