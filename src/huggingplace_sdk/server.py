"""The local HuggingPlace server's public surface: run the logging API on loopback for tests and demos.

``LocalServer`` is the same server as ``huggingplace serve``: SQLite storage, the ingest endpoint
(``INGEST_PATH``), a read API under ``/v1`` and scripted faults (``server.faults``).
"""

from __future__ import annotations

from ._server import DEFAULT_DEV_API_KEY, INGEST_PATH, FaultInjector, LocalServer, LogStore

__all__ = ["DEFAULT_DEV_API_KEY", "INGEST_PATH", "FaultInjector", "LocalServer", "LogStore"]
