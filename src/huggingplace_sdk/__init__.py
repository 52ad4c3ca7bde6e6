"""HuggingPlace SDK: tracing for LLM applications on OpenTelemetry, and the HuggingPlace client.

Importing the package loads only what instrument(), session() and trace_step() need. The logging client
(and httpx under it) loads on first use of its names, so a tracing-only app never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._context import (
    SessionInfo,
    StepHandle,
    current_session,
    current_step,
    session,
    trace_step,
    with_context,
)
from ._engine.activation import AdapterActivation
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

if TYPE_CHECKING:
    from ._client import HuggingPlace, LogSession, SyncHuggingPlace, SyncLogSession

_LAZY = {"HuggingPlace", "LogSession", "SyncHuggingPlace", "SyncLogSession"}  # all from ._client

__all__: list[str] = [
    "AdapterActivation",
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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import _client

        value = getattr(_client, name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
