"""HuggingPlace SDK: tracing for LLM applications on OpenTelemetry, and the HuggingPlace client."""

from __future__ import annotations

from ._client import HuggingPlace, LogSession, SyncHuggingPlace, SyncLogSession
from ._context import (
    SessionInfo,
    StepHandle,
    current_session,
    current_step,
    session,
    trace_step,
    with_context,
)
from ._errors import (
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    HuggingPlaceError,
    NetworkError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ._errors import HuggingPlaceTimeoutError as TimeoutError  # public name; also a builtins.TimeoutError
from ._instrument import Instrumentation, available_adapters, flush, instrument, shutdown, uninstrument

__all__: list[str] = [
    "AuthenticationError",
    "BudgetExceededError",
    "ConfigurationError",
    "HuggingPlace",
    "HuggingPlaceError",
    "Instrumentation",
    "LogSession",
    "NetworkError",
    "RateLimitError",
    "ServerError",
    "SessionInfo",
    "StepHandle",
    "SyncHuggingPlace",
    "SyncLogSession",
    "TimeoutError",
    "ValidationError",
    "available_adapters",
    "current_session",
    "current_step",
    "flush",
    "instrument",
    "session",
    "shutdown",
    "trace_step",
    "uninstrument",
    "with_context",
]
