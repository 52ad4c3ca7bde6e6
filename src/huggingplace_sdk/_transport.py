"""Sync and async senders: POST a JSON body with auth headers, retry per policy, map errors, record metrics.

Shared by the client and the exporter. All decisions live in :class:`_SenderCore`; the two sender classes
differ only in how they do I/O and how they wait (``time.sleep`` vs ``asyncio.sleep``, both injectable).
The HTTP transport is injectable (``httpx.MockTransport`` in tests).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from ._client_metrics import ClientMetrics
from ._config import mask_secret
from ._errors import (
    AuthenticationError,
    HuggingPlaceError,
    HuggingPlaceTimeoutError,
    NetworkError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ._log import OUTCOME_FAILED, OUTCOME_OK, OUTCOME_RETRY, AttemptOutcome, log_attempt
from ._ratelimit import TokenBucket
from ._retry import RetryPolicy, RetrySchedule, parse_http_date, parse_retry_after
from ._wire import encode_json

USER_AGENT: Final = "huggingplace-sdk-python/0.1.0"
MAX_ERROR_TEXT: Final = 500  # characters of a non-JSON error body quoted in an exception
_MIN_ATTEMPT_TIMEOUT_S: Final = 0.001


@dataclass
class SenderSettings:
    """Everything a sender needs besides its HTTP transport and its sleep function."""

    base_url: str
    api_key: str = field(repr=False)
    timeout_s: float = 10.0
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Callable[[], float] = time.monotonic  # durations and the retry deadline
    wall_clock: Callable[[], float] = time.time  # Retry-After dates when the response has no Date header
    rate_limiter: TokenBucket | None = None
    metrics: ClientMetrics = field(default_factory=ClientMetrics)
    log_format: str = "text"

    def __repr__(self) -> str:
        return (
            f"SenderSettings(base_url={self.base_url!r}, api_key={mask_secret(self.api_key)!r}, "
            f"timeout_s={self.timeout_s!r}, retry_policy={self.retry_policy!r})"
        )


class _SenderCore:
    """The I/O-free part of a send: headers, per-attempt timeout, response and exception mapping."""

    def __init__(self, settings: SenderSettings) -> None:
        self.settings = settings
        self.headers = {
            "Authorization": f"Bearer {settings.api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    def url(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + "/" + path.lstrip("/")

    def attempt_timeout(self, schedule: RetrySchedule) -> httpx.Timeout:
        """The client timeout, shortened so that no attempt runs past the total deadline."""
        return httpx.Timeout(max(_MIN_ATTEMPT_TIMEOUT_S, min(self.settings.timeout_s, schedule.remaining())))

    def scrub(self, text: str) -> str:
        """Remove the API key from text that came from elsewhere (a server may echo it back)."""
        key = self.settings.api_key
        return text.replace(key, mask_secret(key)) if key else text

    def result_or_error(self, response: httpx.Response, method: str, path: str) -> Any:
        """The JSON of a 2xx response (None when empty or not JSON); raise the mapped error otherwise."""
        status = response.status_code
        if 200 <= status < 300:
            return _json_or_none(response)
        payload = _json_or_none(response)
        text = self.scrub(_server_text(payload, response))
        message = f"HTTP {status} from {method} {path}"
        if text:
            message = f"{message}: {text}"
        if status in (401, 403):
            raise AuthenticationError(message, status_code=status)
        if status in (400, 422):
            field_name = payload.get("field") if isinstance(payload, dict) else None
            raise ValidationError(
                message, field=field_name if isinstance(field_name, str) else None, status_code=status
            )
        if status == 429:
            raise RateLimitError(message, retry_after=self._retry_after(response), status_code=status)
        if 500 <= status < 600:
            raise ServerError(message, status_code=status, retry_after=self._retry_after(response))
        raise HuggingPlaceError(message, status_code=status)

    def error_from_exception(self, exc: httpx.HTTPError, method: str, path: str) -> HuggingPlaceError:
        """Our error for a transport failure. Not chained to ``exc``: its request holds the auth header."""
        detail = self.scrub(str(exc)) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return HuggingPlaceTimeoutError(
                f"{method} {path} timed out (client timeout {self.settings.timeout_s:g} s; "
                f"{type(exc).__name__}: {detail})"
            )
        return NetworkError(f"{method} {path} failed: {type(exc).__name__}: {detail}")

    def _retry_after(self, response: httpx.Response) -> float | None:
        now = parse_http_date(response.headers.get("date"))
        return parse_retry_after(
            response.headers.get("retry-after"), now=now if now is not None else self.settings.wall_clock()
        )

    def after_attempt(
        self,
        schedule: RetrySchedule,
        *,
        method: str,
        path: str,
        attempt: int,
        started: float,
        status: int | None,
        error: HuggingPlaceError | None,
        message_id: str | None,
    ) -> float | None:
        """Log and count one attempt. Returns None on success or the delay before a retry; else raises."""
        settings = self.settings
        latency_ms = (settings.clock() - started) * 1000.0
        settings.metrics.record_attempt(latency_ms)
        delay = None if error is None else schedule.delay_before_retry(error)
        outcome = OUTCOME_OK if error is None else OUTCOME_FAILED if delay is None else OUTCOME_RETRY
        log_attempt(
            AttemptOutcome(
                method=method,
                path=path,
                status=status,
                attempt=attempt,
                latency_ms=latency_ms,
                message_id=message_id,
                outcome=outcome,
                error=None if error is None else type(error).__name__,
            ),
            settings.log_format,
        )
        if error is None:
            settings.metrics.record_success()
            return None
        if delay is None:
            settings.metrics.record_failure(type(error).__name__)
            raise error
        settings.metrics.record_retry()
        return delay


class SyncSender:
    """Posts JSON bodies synchronously. ``sleep`` is injectable for tests."""

    def __init__(
        self,
        settings: SenderSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._core = _SenderCore(settings)
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, follow_redirects=False)

    @property
    def metrics(self) -> ClientMetrics:
        return self._core.settings.metrics

    def post(self, path: str, body: Any, *, message_id: str | None = None) -> Any:
        """POST ``body`` (a dict or a list) as JSON; return the response's JSON (None when empty).

        Raises a :class:`HuggingPlaceError` subclass after retries are exhausted; ValidationError, before
        anything is sent, when the body cannot be encoded.
        """
        content = encode_json(body)
        core = self._core
        core.settings.metrics.record_request()
        schedule = RetrySchedule(core.settings.retry_policy, core.settings.clock)
        url = core.url(path)
        attempt = 0
        while True:
            attempt += 1
            limiter = core.settings.rate_limiter
            if limiter is not None:
                wait = limiter.reserve()
                if wait > 0:
                    self._sleep(wait)
            started = core.settings.clock()
            status: int | None = None
            error: HuggingPlaceError | None = None
            result: Any = None
            try:
                response = self._http.post(
                    url, content=content, headers=core.headers, timeout=core.attempt_timeout(schedule)
                )
                status = response.status_code
                result = core.result_or_error(response, "POST", path)
            except httpx.HTTPError as exc:
                error = core.error_from_exception(exc, "POST", path)
            except HuggingPlaceError as exc:
                error = exc
            delay = core.after_attempt(
                schedule, method="POST", path=path, attempt=attempt, started=started, status=status,
                error=error, message_id=message_id,
            )
            if delay is None:
                return result
            self._sleep(delay)

    def close(self) -> None:
        self._http.close()


class AsyncSender:
    """Posts JSON bodies without blocking the event loop. ``sleep`` is injectable for tests."""

    def __init__(
        self,
        settings: SenderSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._core = _SenderCore(settings)
        self._sleep = sleep
        self._http = httpx.AsyncClient(transport=transport, follow_redirects=False)

    @property
    def metrics(self) -> ClientMetrics:
        return self._core.settings.metrics

    async def post(self, path: str, body: Any, *, message_id: str | None = None) -> Any:
        """POST ``body`` (a dict or a list) as JSON; return the response's JSON (None when empty).

        Raises a :class:`HuggingPlaceError` subclass after retries are exhausted; ValidationError, before
        anything is sent, when the body cannot be encoded.
        """
        content = encode_json(body)
        core = self._core
        core.settings.metrics.record_request()
        schedule = RetrySchedule(core.settings.retry_policy, core.settings.clock)
        url = core.url(path)
        attempt = 0
        while True:
            attempt += 1
            limiter = core.settings.rate_limiter
            if limiter is not None:
                wait = limiter.reserve()
                if wait > 0:
                    await self._sleep(wait)
            started = core.settings.clock()
            status: int | None = None
            error: HuggingPlaceError | None = None
            result: Any = None
            try:
                response = await self._http.post(
                    url, content=content, headers=core.headers, timeout=core.attempt_timeout(schedule)
                )
                status = response.status_code
                result = core.result_or_error(response, "POST", path)
            except httpx.HTTPError as exc:
                error = core.error_from_exception(exc, "POST", path)
            except HuggingPlaceError as exc:
                error = exc
            delay = core.after_attempt(
                schedule, method="POST", path=path, attempt=attempt, started=started, status=status,
                error=error, message_id=message_id,
            )
            if delay is None:
                return result
            await self._sleep(delay)

    async def aclose(self) -> None:
        await self._http.aclose()


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _server_text(payload: Any, response: httpx.Response) -> str:
    """The server's own explanation: ``message`` or ``error`` from a JSON body, else the start of the text."""
    if isinstance(payload, dict):
        for key in ("message", "error"):
            value = payload.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if isinstance(value, str) and value:
                return value
    if payload is None and response.content:
        return response.content.decode("utf-8", errors="replace").strip()[:MAX_ERROR_TEXT]
    return ""
