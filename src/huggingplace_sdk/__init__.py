"""HuggingPlace SDK: tracing for LLM applications on OpenTelemetry, and the HuggingPlace client."""

from __future__ import annotations

from ._client import HuggingPlace, LogSession, SyncHuggingPlace, SyncLogSession
from ._errors import (
    AuthenticationError,
    ConfigurationError,
    HuggingPlaceError,
    NetworkError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ._errors import HuggingPlaceTimeoutError as TimeoutError  # public name; also a builtins.TimeoutError

__all__: list[str] = [
    "AuthenticationError",
    "ConfigurationError",
    "HuggingPlace",
    "HuggingPlaceError",
    "LogSession",
    "NetworkError",
    "RateLimitError",
    "ServerError",
    "SyncHuggingPlace",
    "SyncLogSession",
    "TimeoutError",
    "ValidationError",
]
