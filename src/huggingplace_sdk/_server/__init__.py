"""A local HuggingPlace logging server (stdlib only): SQLite storage, read API, scripted faults.

Routes live in ``_handlers.ROUTES``; the HTTP layer (``_http``) only dispatches, so a viewer or an OTLP
receiver can be added as more rows.
"""

from __future__ import annotations

from ._faults import FaultInjector
from ._handlers import INGEST_PATH
from ._local import DEFAULT_DEV_API_KEY, LocalServer
from ._store import LogStore

__all__ = ["DEFAULT_DEV_API_KEY", "INGEST_PATH", "FaultInjector", "LocalServer", "LogStore"]
