"""The HuggingPlace logging client: :class:`HuggingPlace` (async, the published API) and its sync twin.

Both share configuration, body building and validation (:class:`_ClientCore`) and the retrying senders of
``_transport``; only I/O differs. Sessions stamp their id and merge their default metadata and user
metadata into every log (per-call keys win).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from ._client_metrics import ClientMetrics
from ._config import ClientConfig, merge_options, resolve_config
from ._errors import HuggingPlaceError, ValidationError
from ._ratelimit import TokenBucket
from ._retry import RetryPolicy
from ._transport import AsyncSender, SenderSettings, SyncSender
from ._wire import (
    LOG_PATH,
    apply_session_defaults,
    build_log_body,
    checked_object,
    keep_response_spelling,
    normalize_log_options,
    step_to_log_options,
)

_CONSTRUCTOR_DOC = """
    Settings come from ``options`` (the published SDK's single dict; camelCase keys such as ``apiKey``,
    ``orgId`` and ``baseUrl`` accepted) and keyword arguments, then the environment (``HUGGINGPLACE_API_KEY``,
    ``HUGGINGPLACE_ORG_ID``, ``HUGGINGPLACE_MODE``, ``HUGGINGPLACE_BASE_URL``, ``HUGGINGPLACE_TIMEOUT``),
    then defaults. ``timeout`` is in milliseconds (default 10000). ``max_retries`` (default 4) and
    ``retry_deadline`` (seconds, default 30) bound retries; ``rate_limit`` (requests/second) and ``burst``
    enable a token bucket; ``log_format`` is ``"text"`` or ``"json"``.

    For tests only: ``transport`` (an httpx transport, e.g. ``httpx.MockTransport``), ``clock`` (monotonic
    seconds), ``sleep`` and ``random_source`` (a float in [0, 1] for the backoff jitter).

    Raises :class:`ConfigurationError` for a missing key or org id or an invalid argument.
"""


class _Session:
    """A session's identity and defaults, shared by the async and sync session classes."""

    def __init__(
        self,
        session_id: str | None,
        metadata: Mapping[str, Any] | None,
        user_metadata: Mapping[str, Any] | None,
    ) -> None:
        if session_id is not None and (not isinstance(session_id, str) or not session_id):
            raise ValidationError("session_id must be a non-empty string", field="session_id")
        self.session_id = session_id if session_id is not None else str(uuid.uuid4())
        self.metadata = checked_object("metadata", metadata)
        self.user_metadata = checked_object("user_metadata", user_metadata)

    def stamp(self, options: Mapping[str, Any]) -> dict[str, Any]:
        stamped = apply_session_defaults(
            normalize_log_options(options),
            session_id=self.session_id,
            metadata=self.metadata,
            user_metadata=self.user_metadata,
        )
        return keep_response_spelling(options, stamped)


class _ClientCore:
    """Configuration and body building, with no I/O."""

    def __init__(
        self,
        options: Mapping[str, Any] | None,
        arguments: Mapping[str, Any],
        *,
        clock: Callable[[], float] | None,
        random_source: Callable[[], float] | None,
    ) -> None:
        self.config: ClientConfig = resolve_config(merge_options(options, arguments))
        config = self.config
        monotonic = clock if clock is not None else time.monotonic
        policy = (
            RetryPolicy(config.max_retries, config.retry_deadline_s, random=random_source)
            if random_source is not None
            else RetryPolicy(config.max_retries, config.retry_deadline_s)
        )
        limiter = (
            TokenBucket(config.rate_limit, config.burst, monotonic) if config.rate_limit is not None else None
        )
        self.settings = SenderSettings(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout_s=config.timeout_s,
            retry_policy=policy,
            clock=monotonic,
            rate_limiter=limiter,
            metrics=ClientMetrics(),
            log_format=config.log_format,
        )
        self.closed = False

    def log_body(
        self, options: Mapping[str, Any] | None, fields: Mapping[str, Any], session: _Session | None = None
    ) -> dict[str, Any]:
        merged = _merge_call_options(options, fields)
        return self._finish(session.stamp(merged) if session is not None else merged)

    def step_body(self, step: Mapping[str, Any], session: _Session | None = None) -> dict[str, Any]:
        options = step_to_log_options(step)
        return self._finish(session.stamp(options) if session is not None else options)

    def _finish(self, options: Mapping[str, Any]) -> dict[str, Any]:
        if self.closed:
            raise HuggingPlaceError("this client is closed")
        return build_log_body(options, org_id=self.config.org_id, mode=self.config.mode)

    def describe(self, class_name: str) -> str:
        config = self.config
        return (
            f"{class_name}(org_id={config.org_id!r}, mode={config.mode!r}, base_url={config.base_url!r}, "
            f"api_key={config.masked_api_key!r})"
        )


def _merge_call_options(options: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    if options is None:
        return dict(fields)
    if not isinstance(options, Mapping):
        raise ValidationError(f"log options must be a mapping, got {type(options).__name__}")
    merged = dict(options)
    for key, value in fields.items():
        if key in merged and merged[key] != value:
            raise ValidationError(f"{key!r} given both in the options and as a keyword", field=key)
        merged[key] = value
    return merged


class HuggingPlace:
    """Async client: ``await hp.log({...})``, ``await hp.log_step(step)``, ``hp.start_session()``.

    Use ``async with HuggingPlace(...) as hp:`` or call :meth:`aclose`.
    """

    __doc__ = (__doc__ or "") + _CONSTRUCTOR_DOC

    def __init__(
        self,
        options: Mapping[str, Any] | None = None,
        /,
        *,
        api_key: str | None = None,
        org_id: str | None = None,
        mode: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_deadline: float | None = None,
        rate_limit: float | None = None,
        burst: int | None = None,
        log_format: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random_source: Callable[[], float] | None = None,
    ) -> None:
        self._core = _ClientCore(
            options,
            {
                "api_key": api_key, "org_id": org_id, "mode": mode, "base_url": base_url, "timeout": timeout,
                "max_retries": max_retries, "retry_deadline": retry_deadline, "rate_limit": rate_limit,
                "burst": burst, "log_format": log_format,
            },
            clock=clock,
            random_source=random_source,
        )
        if sleep is not None:
            self._sender = AsyncSender(self._core.settings, transport=transport, sleep=sleep)
        else:
            self._sender = AsyncSender(self._core.settings, transport=transport)

    @classmethod
    def from_env(cls, **kwargs: Any) -> HuggingPlace:
        """A client configured from the ``HUGGINGPLACE_*`` environment (keyword arguments still win)."""
        return cls(**kwargs)

    @property
    def config(self) -> ClientConfig:
        """The resolved settings (its repr masks the API key)."""
        return self._core.config

    async def log(self, options: Mapping[str, Any] | None = None, /, **fields: Any) -> Any:
        """Store one generated response; returns the server's JSON answer (None when it sends none).

        ``user_prompt`` and ``response`` are required. Raises ValidationError (nothing sent) for bad input.
        """
        body = self._core.log_body(options, fields)
        return await self._sender.post(LOG_PATH, body, message_id=body["message_id"])

    async def log_step(self, step: Mapping[str, Any]) -> Any:
        """Store one step (``user_question``, ``prompt_response`` required; ``llm_model``, ``token``,
        ``response_time`` optional) as a log whose ``step_data`` is ``[step]``."""
        body = self._core.step_body(step)
        return await self._sender.post(LOG_PATH, body, message_id=body["message_id"])

    def start_session(
        self,
        session_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        user_metadata: Mapping[str, Any] | None = None,
    ) -> LogSession:
        """A session that stamps ``session_id`` (a new uuid4 when None) and its defaults onto every log."""
        return LogSession(self, _Session(session_id, metadata, user_metadata))

    def get_metrics(self) -> dict[str, Any]:
        """Counters: requests, attempts, successes, failures by error class, retries, latency p50/p95 ms."""
        return self._sender.metrics.snapshot()

    async def aclose(self) -> None:
        self._core.closed = True
        await self._sender.aclose()

    async def __aenter__(self) -> HuggingPlace:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return self._core.describe(type(self).__name__)


class LogSession:
    """A logging session of :class:`HuggingPlace`: every log carries its id, metadata and user metadata."""

    def __init__(self, client: HuggingPlace, session: _Session) -> None:
        self._client = client
        self._session = session

    @property
    def session_id(self) -> str:
        return self._session.session_id

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._session.metadata)

    @property
    def user_metadata(self) -> dict[str, Any]:
        return dict(self._session.user_metadata)

    async def log(self, options: Mapping[str, Any] | None = None, /, **fields: Any) -> Any:
        """Like :meth:`HuggingPlace.log`, stamped with this session."""
        client = self._client
        body = client._core.log_body(options, fields, self._session)
        return await client._sender.post(LOG_PATH, body, message_id=body["message_id"])

    async def log_step(self, step: Mapping[str, Any]) -> Any:
        """Like :meth:`HuggingPlace.log_step`, stamped with this session."""
        client = self._client
        body = client._core.step_body(step, self._session)
        return await client._sender.post(LOG_PATH, body, message_id=body["message_id"])

    def __repr__(self) -> str:
        return f"LogSession(session_id={self.session_id!r})"


class SyncHuggingPlace:
    """Synchronous HuggingPlace client with the same constructor and methods as :class:`HuggingPlace`.

    Use ``with SyncHuggingPlace(...) as hp:`` or call :meth:`close`.
    """

    __doc__ = (__doc__ or "") + _CONSTRUCTOR_DOC

    def __init__(
        self,
        options: Mapping[str, Any] | None = None,
        /,
        *,
        api_key: str | None = None,
        org_id: str | None = None,
        mode: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_deadline: float | None = None,
        rate_limit: float | None = None,
        burst: int | None = None,
        log_format: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        random_source: Callable[[], float] | None = None,
    ) -> None:
        self._core = _ClientCore(
            options,
            {
                "api_key": api_key, "org_id": org_id, "mode": mode, "base_url": base_url, "timeout": timeout,
                "max_retries": max_retries, "retry_deadline": retry_deadline, "rate_limit": rate_limit,
                "burst": burst, "log_format": log_format,
            },
            clock=clock,
            random_source=random_source,
        )
        if sleep is not None:
            self._sender = SyncSender(self._core.settings, transport=transport, sleep=sleep)
        else:
            self._sender = SyncSender(self._core.settings, transport=transport)

    @classmethod
    def from_env(cls, **kwargs: Any) -> SyncHuggingPlace:
        """A client configured from the ``HUGGINGPLACE_*`` environment (keyword arguments still win)."""
        return cls(**kwargs)

    @property
    def config(self) -> ClientConfig:
        """The resolved settings (its repr masks the API key)."""
        return self._core.config

    def log(self, options: Mapping[str, Any] | None = None, /, **fields: Any) -> Any:
        """Store one generated response; returns the server's JSON answer (None when it sends none)."""
        body = self._core.log_body(options, fields)
        return self._sender.post(LOG_PATH, body, message_id=body["message_id"])

    def log_step(self, step: Mapping[str, Any]) -> Any:
        """Store one step as a log whose ``step_data`` is ``[step]``."""
        body = self._core.step_body(step)
        return self._sender.post(LOG_PATH, body, message_id=body["message_id"])

    def start_session(
        self,
        session_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        user_metadata: Mapping[str, Any] | None = None,
    ) -> SyncLogSession:
        """A session that stamps ``session_id`` (a new uuid4 when None) and its defaults onto every log."""
        return SyncLogSession(self, _Session(session_id, metadata, user_metadata))

    def get_metrics(self) -> dict[str, Any]:
        """Counters: requests, attempts, successes, failures by error class, retries, latency p50/p95 ms."""
        return self._sender.metrics.snapshot()

    def close(self) -> None:
        self._core.closed = True
        self._sender.close()

    def __enter__(self) -> SyncHuggingPlace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._core.describe(type(self).__name__)


class SyncLogSession:
    """A logging session of :class:`SyncHuggingPlace`: every log carries its id and default metadata."""

    def __init__(self, client: SyncHuggingPlace, session: _Session) -> None:
        self._client = client
        self._session = session

    @property
    def session_id(self) -> str:
        return self._session.session_id

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._session.metadata)

    @property
    def user_metadata(self) -> dict[str, Any]:
        return dict(self._session.user_metadata)

    def log(self, options: Mapping[str, Any] | None = None, /, **fields: Any) -> Any:
        """Like :meth:`SyncHuggingPlace.log`, stamped with this session."""
        client = self._client
        body = client._core.log_body(options, fields, self._session)
        return client._sender.post(LOG_PATH, body, message_id=body["message_id"])

    def log_step(self, step: Mapping[str, Any]) -> Any:
        """Like :meth:`SyncHuggingPlace.log_step`, stamped with this session."""
        client = self._client
        body = client._core.step_body(step, self._session)
        return client._sender.post(LOG_PATH, body, message_id=body["message_id"])

    def __repr__(self) -> str:
        return f"SyncLogSession(session_id={self.session_id!r})"
