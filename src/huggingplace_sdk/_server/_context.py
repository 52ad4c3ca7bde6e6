"""What every handler may use: the store, the fault script, the accepted keys, counters."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ._access import ViewerAccess
from ._faults import FaultInjector
from ._store import LogStore
from ._traces import TraceStore

MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass
class ServerContext:
    store: LogStore
    faults: FaultInjector
    api_keys: frozenset[str] | None  # None: any bearer token (or none) is accepted
    fault_control: bool
    strict: bool = False  # behave like the published endpoint: one log object per request, no capabilities
    traces: TraceStore | None = None  # spans received over OTLP (same SQLite file as the logs)
    access: ViewerAccess = field(default_factory=ViewerAccess)
    max_body_bytes: int = MAX_BODY_BYTES  # larger bodies get 413
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _requests_seen: int = 0

    def count_request(self) -> None:
        with self._lock:
            self._requests_seen += 1

    @property
    def trace_store(self) -> TraceStore:
        if self.traces is None:
            self.traces = TraceStore(self.store)
        return self.traces

    @property
    def requests_seen(self) -> int:
        with self._lock:
            return self._requests_seen
