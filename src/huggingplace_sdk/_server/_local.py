"""LocalServer: the HuggingPlace logging API on loopback, in a daemon thread, for tests, demos and dev."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from ._context import MAX_BODY_BYTES, ServerContext
from ._faults import FaultInjector
from ._handlers import INGEST_PATH, OTLP_TRACES_PATH, ROUTES
from ._http import HuggingPlaceHTTPServer
from ._routes import Router
from ._store import MEMORY, LogStore
from ._traces import TraceStore

DEFAULT_DEV_API_KEY = "hp-local-dev-key"
_POLL_INTERVAL_S = 0.05  # how soon the accept loop notices stop()


def _accepted_keys(api_key: str | Iterable[str] | None) -> frozenset[str] | None:
    if api_key is None:
        return None
    keys = frozenset([api_key]) if isinstance(api_key, str) else frozenset(api_key)
    if not keys or not all(isinstance(key, str) and key.strip() for key in keys):
        raise ValueError("api_key must be a non-empty string, an iterable of them, or None (no auth)")
    return keys


class LocalServer:
    """A local HuggingPlace server. ``api_key=None`` accepts any request; ``port=0`` picks a free port.

    ``enable_fault_injection`` exposes ``/_control/faults`` over HTTP; ``.faults`` works either way.
    ``strict=True`` behaves like the published endpoint: JSON arrays get 400 and ``GET /v1/capabilities``
    404, so a client that only works against a lenient server fails its tests here.

    OTLP/HTTP exporters send to ``otlp_url`` (``POST /v1/traces``); spans land in ``.traces``. The viewer
    is at ``url``; ``login_url()`` gives a one-time sign-in link for a browser. Bodies larger than
    ``max_body_bytes`` get 413.
    """

    ingest_path = INGEST_PATH

    def __init__(
        self,
        db_path: str | Path = MEMORY,
        api_key: str | Iterable[str] | None = DEFAULT_DEV_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        enable_fault_injection: bool = True,
        strict: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
        if not isinstance(max_body_bytes, int) or isinstance(max_body_bytes, bool) or max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be a positive integer, got {max_body_bytes!r}")
        self.host = host
        self._requested_port = port
        self.store = LogStore(db_path)
        self.traces = TraceStore(self.store)
        self.faults = FaultInjector()
        self._context = ServerContext(
            store=self.store,
            faults=self.faults,
            api_keys=_accepted_keys(api_key),
            fault_control=enable_fault_injection,
            strict=strict,
            traces=self.traces,
            max_body_bytes=max_body_bytes,
        )
        self._router = Router(ROUTES)
        self._httpd: HuggingPlaceHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LocalServer(url={self.url!r}, db={self.store.path!r}, {state})"

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> LocalServer:
        """Open the database, bind and serve in a daemon thread. A restart after stop() binds the same port.

        Raises ``sqlite3.Error`` for a database that cannot be opened and ``OSError`` for a busy port.
        """
        with self._lifecycle:
            if self._httpd is not None:
                return self
            self.store.open()
            self.faults.reopen()
            httpd = HuggingPlaceHTTPServer((self.host, self._requested_port), self._context, self._router)
            self._requested_port = httpd.server_address[1]
            self._httpd = httpd
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL_S},
                name=f"huggingplace-local-server:{self._requested_port}",
                daemon=True,
            )
            self._thread.start()
            return self

    def stop(self) -> None:
        """Stop serving: held requests are dropped, open connections closed. Never waits on a client."""
        with self._lifecycle:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
            if httpd is None:
                return
            self.faults.close()
            httpd.shutdown()
            httpd.close_connections()
            httpd.server_close()
            if thread is not None:
                thread.join(timeout=5)
            self.store.close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- facts -------------------------------------------------------------------------------------
    @property
    def strict(self) -> bool:
        return self._context.strict

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        return self._requested_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def ingest_url(self) -> str:
        return self.url + INGEST_PATH

    @property
    def otlp_url(self) -> str:
        """Where an OTLP/HTTP span exporter posts (its ``endpoint``)."""
        return self.url + OTLP_TRACES_PATH

    def login_url(self, fragment: str = "") -> str:
        """A one-time sign-in link for the viewer (the token is spent on first use); ``fragment`` e.g.
        ``"/trace/<id>"`` opens that view."""
        token = self._context.access.issue_token()
        return f"{self.url}/login?token={token}" + (f"#{fragment}" if fragment else "")

    @property
    def requests_seen(self) -> int:
        """POSTs to the ingest endpoint, faulted ones included (control calls are not counted)."""
        return self._context.requests_seen
