"""A local HuggingPlace server: the logging API, an OTLP/HTTP trace receiver and a web viewer, on SQLite.

Routes live in ``_handlers.ROUTES`` (the viewer's in ``_viewer.ROUTES``); the HTTP layer (``_http``) only
dispatches.
"""

from __future__ import annotations

from ._faults import FaultInjector
from ._handlers import INGEST_PATH, OTLP_TRACES_PATH
from ._local import DEFAULT_DEV_API_KEY, LocalServer
from ._store import LogStore
from ._traces import TraceStore

__all__ = [
    "DEFAULT_DEV_API_KEY", "INGEST_PATH", "OTLP_TRACES_PATH", "FaultInjector", "LocalServer", "LogStore", "TraceStore",
]
