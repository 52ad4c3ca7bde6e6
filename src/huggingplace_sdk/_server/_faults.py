"""Scripted faults for the ingest endpoint: fail the next n requests, or hold them until released.

Faults are queued in the order they are scripted; each faultable request takes the next one.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Fail:
    status: int = 503
    retry_after: str | None = None
    body: Any = None  # JSON value, str or bytes; None -> {"error": "injected fault"}


@dataclass(frozen=True, slots=True)
class Hang:
    pass


Fault = Fail | Hang


class FaultInjector:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: deque[Fault] = deque()
        self._release_generation = 0
        self._held = 0
        self._closed = False

    # --- scripting (tests, the control endpoint) ---------------------------------------------------
    def fail_next(
        self, n: int = 1, status: int = 503, retry_after: str | None = None, body: Any = None
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (and a ``Retry-After`` header when given)."""
        if n < 0 or not 100 <= status <= 599:
            raise ValueError(f"fail_next needs n >= 0 and an HTTP status, got n={n}, status={status}")
        if retry_after is not None and not isinstance(retry_after, str):
            raise TypeError("retry_after must be a str (delta-seconds or an HTTP-date)")
        with self._cond:
            self._pending.extend(Fail(status, retry_after, body) for _ in range(n))

    def hang_next(self, n: int = 1) -> None:
        """Hold the next ``n`` requests until :meth:`release` or the server stops."""
        if n < 0:
            raise ValueError(f"hang_next needs n >= 0, got {n}")
        with self._cond:
            self._pending.extend(Hang() for _ in range(n))

    def release(self) -> None:
        """Let every held request continue (it is then processed normally)."""
        with self._cond:
            self._release_generation += 1
            self._cond.notify_all()

    def clear(self) -> None:
        """Forget scripted faults and release held requests."""
        with self._cond:
            self._pending.clear()
        self.release()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    @property
    def held(self) -> int:
        """Requests blocked right now by a hang fault."""
        with self._cond:
            return self._held

    def wait_for_held(self, n: int = 1, timeout: float = 5.0) -> bool:
        """Block until ``n`` requests are held (for tests: no sleeping to guess when they arrived)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._held >= n, timeout)

    # --- server side -------------------------------------------------------------------------------
    def take(self) -> Fault | None:
        with self._cond:
            return self._pending.popleft() if self._pending else None

    def hold(self) -> bool:
        """Block the calling request thread. True when released, False when the server is stopping."""
        with self._cond:
            generation = self._release_generation
            self._held += 1
            self._cond.notify_all()
            try:
                self._cond.wait_for(lambda: self._closed or self._release_generation != generation)
                return not self._closed
            finally:
                self._held -= 1
                self._cond.notify_all()

    def close(self) -> None:
        """Server stopping: held requests return at once and are dropped unanswered."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False
