"""The exceptions the HuggingPlace client raises.

Every error derives from :class:`HuggingPlaceError`. Errors that come from an HTTP response carry its
``status_code``; messages carry the server's own ``message``/``error`` text. No message ever contains the
API key: the transport scrubs server text before it gets here.
"""

from __future__ import annotations

import builtins
from decimal import Decimal


class HuggingPlaceError(Exception):
    """Base class of every error raised by the HuggingPlace client."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class ConfigurationError(HuggingPlaceError, ValueError):
    """A client was constructed with a missing or invalid setting."""


class AuthenticationError(HuggingPlaceError):
    """The server rejected the API key or the organisation (HTTP 401 or 403)."""


class ValidationError(HuggingPlaceError):
    """A log body is invalid: found before sending (no status code) or reported by the server (400/422).

    ``field`` names the offending field when it is known.
    """

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.field = field


class RateLimitError(HuggingPlaceError):
    """The server asked us to slow down (HTTP 429). ``retry_after`` is in seconds, or None when not given."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status_code: int | None = 429
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ServerError(HuggingPlaceError):
    """The server failed (HTTP 5xx). ``retry_after`` is the server's ``Retry-After`` in seconds, if any."""

    def __init__(
        self, message: str, *, status_code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class NetworkError(HuggingPlaceError):
    """The request never got an answer: connection refused, reset, DNS failure and the like."""


class HuggingPlaceTimeoutError(HuggingPlaceError, builtins.TimeoutError):
    """The request did not complete within the client's timeout.

    Published as ``huggingplace_sdk.TimeoutError``; it is also a builtin ``TimeoutError`` so generic
    timeout handling keeps working. Named differently here so our modules never shadow the builtin.
    """


class BudgetExceededError(HuggingPlaceError):
    """A session opened with ``budget_usd=`` and ``on_budget="raise"`` had spent its budget when an LLM call
    started; the call was not sent. ``spent_usd`` and ``budget_usd`` are exact decimals."""

    def __init__(self, session_id: str, budget_usd: Decimal, spent_usd: Decimal) -> None:
        super().__init__(f"session {session_id} has spent {spent_usd} USD of its {budget_usd} USD budget; "
                         "the LLM call was not sent")
        self.session_id = session_id
        self.budget_usd = budget_usd
        self.spent_usd = spent_usd


def server_retry_after(error: HuggingPlaceError) -> float | None:
    """The wait the server asked for with this error (``Retry-After``), or None."""
    if isinstance(error, (RateLimitError, ServerError)):
        return error.retry_after
    return None


def is_retryable(error: HuggingPlaceError) -> bool:
    """True for failures that a later attempt may cure: 429, 502/503/504, timeouts, connection errors."""
    if isinstance(error, (RateLimitError, NetworkError, HuggingPlaceTimeoutError)):
        return True
    return isinstance(error, ServerError) and error.status_code in RETRYABLE_SERVER_STATUSES


RETRYABLE_SERVER_STATUSES = frozenset({502, 503, 504})
