"""Retry policy: exponential backoff with full jitter, Retry-After, attempt cap and total deadline.

Pure and clock-injectable so the client and the exporter share it and tests drive it with a fake clock.

Backoff uses *full jitter*: before retry ``n`` (0-based) we wait ``uniform(0, min(max_delay,
base_delay * 2**n))``. Full jitter spreads a burst of failing clients over the whole window, which
de-synchronises them best for the least code; the random source is injectable for exact tests.
A server ``Retry-After`` replaces the backoff delay (the server knows best). A delay that would end past
the total deadline stops retrying at once, and the last error is raised.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from ._errors import HuggingPlaceError, is_retryable, server_retry_after

DEFAULT_BASE_DELAY_S: Final = 0.5
DEFAULT_MAX_DELAY_S: Final = 8.0


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to retry. ``random`` returns a float in [0, 1] (injectable for tests)."""

    max_retries: int = 4
    deadline_s: float = 30.0
    base_delay_s: float = DEFAULT_BASE_DELAY_S
    max_delay_s: float = DEFAULT_MAX_DELAY_S
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def backoff(self, retry_index: int) -> float:
        """The jittered delay before retry ``retry_index`` (0 for the first retry)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * (2.0**retry_index))
        return ceiling * min(1.0, max(0.0, self.random()))


class RetrySchedule:
    """Decides, for one logical send, whether and how long to wait before the next attempt."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._clock = clock
        self._started = clock()
        self.retries = 0

    def remaining(self) -> float:
        """Seconds left before the total deadline (never negative)."""
        return max(0.0, self._policy.deadline_s - (self._clock() - self._started))

    def delay_before_retry(self, error: HuggingPlaceError) -> float | None:
        """The delay before retrying after ``error``, or None to give up and raise it."""
        if not is_retryable(error) or self.retries >= self._policy.max_retries:
            return None
        retry_after = server_retry_after(error)
        delay = retry_after if retry_after is not None else self._policy.backoff(self.retries)
        if delay > self.remaining():
            return None
        self.retries += 1
        return delay


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date (``now``: epoch s).

    Returns None for a missing or unreadable value; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        seconds = float(text)  # some servers send fractions; be lenient
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        return None
    return max(0.0, when.timestamp() - now)


def parse_http_date(value: str | None) -> float | None:
    """Epoch seconds of an HTTP-date header such as ``Date``, or None."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return None if when.tzinfo is None else when.timestamp()
