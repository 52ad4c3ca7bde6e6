"""In-process counters for the client: sends, attempts, outcomes, retries and attempt latency percentiles."""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from typing import Any, Final

LATENCY_WINDOW: Final = 1024  # most recent attempts kept for percentiles


class ClientMetrics:
    """Thread-safe counters. ``requests`` counts logical sends; ``attempts`` counts HTTP requests made."""

    def __init__(self, window: int = LATENCY_WINDOW) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._attempts = 0
        self._successes = 0
        self._retries = 0
        self._failures: Counter[str] = Counter()
        self._latencies_ms: deque[float] = deque(maxlen=window)

    def record_request(self) -> None:
        with self._lock:
            self._requests += 1

    def record_attempt(self, latency_ms: float) -> None:
        with self._lock:
            self._attempts += 1
            self._latencies_ms.append(latency_ms)

    def record_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def record_success(self) -> None:
        with self._lock:
            self._successes += 1

    def record_failure(self, error_class: str) -> None:
        with self._lock:
            self._failures[error_class] += 1

    def snapshot(self) -> dict[str, Any]:
        """A copy: requests, attempts, successes, failures (by error class name), retries, latency p50/p95."""
        with self._lock:
            latencies = sorted(self._latencies_ms)
            return {
                "requests": self._requests,
                "attempts": self._attempts,
                "successes": self._successes,
                "failures": dict(self._failures),
                "retries": self._retries,
                "latency_p50_ms": nearest_rank(latencies, 50),
                "latency_p95_ms": nearest_rank(latencies, 95),
            }


def nearest_rank(sorted_values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile of already sorted values; None when there are none."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]
