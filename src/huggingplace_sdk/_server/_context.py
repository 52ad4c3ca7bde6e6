"""What every handler may use: the store, the fault script, the accepted keys, counters."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ._faults import FaultInjector
from ._store import LogStore


@dataclass
class ServerContext:
    store: LogStore
    faults: FaultInjector
    api_keys: frozenset[str] | None  # None: any bearer token (or none) is accepted
    fault_control: bool
    strict: bool = False  # behave like the published endpoint: one log object per request, no capabilities
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _requests_seen: int = 0

    def count_request(self) -> None:
        with self._lock:
            self._requests_seen += 1

    @property
    def requests_seen(self) -> int:
        with self._lock:
            return self._requests_seen
