"""The local HuggingPlace server's public surface: run the logging API on loopback for tests and demos.

``LocalServer`` is the same server as ``huggingplace serve``: SQLite storage, the ingest endpoint
(``INGEST_PATH``), an OTLP/HTTP trace receiver (``OTLP_TRACES_PATH``, spans in ``server.traces``, a
``TraceStore``), the web viewer at ``/``, a read API under ``/v1`` and scripted faults (``server.faults``).
"""

from __future__ import annotations

from ._server import (
    DEFAULT_DEV_API_KEY,
    INGEST_PATH,
    OTLP_TRACES_PATH,
    FaultInjector,
    LocalServer,
    LogStore,
    TraceStore,
)

__all__ = [
    "DEFAULT_DEV_API_KEY", "INGEST_PATH", "OTLP_TRACES_PATH", "FaultInjector", "LocalServer", "LogStore", "TraceStore",
]
