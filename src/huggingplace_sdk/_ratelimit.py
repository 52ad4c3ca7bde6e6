"""Token-bucket rate limit for outgoing requests.

:meth:`TokenBucket.reserve` takes a token now and returns how long the caller must wait before using it.
Tokens may go negative (a queue of reservations), so concurrent callers each get their own slot without
holding a lock while they wait; the sync sender then sleeps and the async sender awaits its sleep, never
blocking the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up (default: one second's worth, at least 1)."""

    def __init__(self, rate: float, burst: int | None, clock: Callable[[], float]) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, int(rate)))
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before the request may go (0 when one is ready)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
