"""Lean HTTP/1.1 keep-alive POSTs for the exporter's hot path: one connection per sending thread.

One log per request makes the per-request cost the exporter's main cost. ``http.client`` spends about a
fifth of the CPU that ``httpx.Client`` does per request on loopback (measured: ~140 vs ~640-800 us), so the
exporter posts through it whenever nothing needs httpx's extras: no injected transport (tests inject one)
and no proxy configured for the host. Answers come back as ``httpx.Response`` and failures as httpx
exceptions, so the client's own error mapping and retry policy apply unchanged.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import urllib.request
from collections.abc import Mapping
from typing import cast
from urllib.parse import urlsplit

import httpx

# A connection the server closed while it sat idle fails on its next use like this: retried once, fresh.
_STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def direct_connection_possible(base_url: str) -> bool:
    """True unless the environment routes this host through a proxy (httpx handles those)."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    if parts.scheme not in proxies and "all" not in proxies:
        return True
    return bool(urllib.request.proxy_bypass(parts.hostname or ""))


class _OneSendMixin:
    """Headers and a bytes body in one send(): one syscall, and no Nagle / delayed-ACK stall between them."""

    _buffer: list[bytes]

    def _send_output(self, message_body: object = None, encode_chunked: bool = False) -> None:
        if not isinstance(message_body, bytes):
            super()._send_output(message_body, encode_chunked)  # type: ignore[misc]
            return
        self._buffer.extend((b"", b""))
        head = b"\r\n".join(self._buffer)
        del self._buffer[:]
        cast(http.client.HTTPConnection, self).send(head + message_body)


class _Connection(_OneSendMixin, http.client.HTTPConnection):
    pass


class _TLSConnection(_OneSendMixin, http.client.HTTPSConnection):
    pass


class KeepAliveConnections:
    """Thread-safe: each calling thread keeps its own persistent connection to the base URL."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._ssl = _ssl_context() if self._https else None
        self._local = threading.local()
        self._open: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()

    def post(self, path: str, content: bytes, headers: Mapping[str, str], timeout: float) -> httpx.Response:
        """POST and read the whole answer; raise an httpx exception for a transport failure."""
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None:
            try:
                return self._exchange(connection, path, content, headers, timeout)
            except _STALE_CONNECTION_ERRORS:
                self._discard(connection)  # idle too long on the server's side: once more on a fresh one
            except BaseException as exc:
                self._discard(connection)
                raise _as_httpx_error(exc) from None
        connection = self._connect(timeout)
        try:
            return self._exchange(connection, path, content, headers, timeout)
        except BaseException as exc:
            self._discard(connection)
            raise _as_httpx_error(exc) from None

    def close(self) -> None:
        with self._lock:
            connections = list(self._open)
            self._open.clear()
        for connection in connections:
            with contextlib.suppress(Exception):
                connection.close()

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if self._ssl is not None:
            connection = _TLSConnection(self._host, self._port, timeout=timeout, context=self._ssl)
        else:
            connection = _Connection(self._host, self._port, timeout=timeout)
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException as exc:
            connection.close()
            raise _as_httpx_error(exc, connecting=True) from None
        with self._lock:
            self._open.add(connection)
        self._local.connection = connection
        return connection

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        path: str,
        content: bytes,
        headers: Mapping[str, str],
        timeout: float,
    ) -> httpx.Response:
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        connection.request("POST", self._prefix + path, body=content, headers=dict(headers))
        answer = connection.getresponse()
        data = answer.read()
        if answer.will_close:
            self._discard(connection)
        return httpx.Response(answer.status, headers=answer.getheaders(), content=data)

    def _discard(self, connection: http.client.HTTPConnection) -> None:
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        with self._lock:
            self._open.discard(connection)
        with contextlib.suppress(Exception):
            connection.close()


def _ssl_context() -> ssl.SSLContext:
    try:  # the CA bundle httpx uses, so both paths trust the same servers
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


def _as_httpx_error(exc: BaseException, *, connecting: bool = False) -> BaseException:
    """The httpx exception the client's error mapping understands; anything else passes unchanged."""
    if isinstance(exc, httpx.HTTPError):
        return exc
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return httpx.ConnectTimeout(detail) if connecting else httpx.ReadTimeout(detail)
    if connecting and isinstance(exc, OSError):
        return httpx.ConnectError(detail)
    if isinstance(exc, (OSError, http.client.HTTPException)):
        return httpx.RemoteProtocolError(detail) if isinstance(exc, http.client.HTTPException) else (
            httpx.ReadError(detail)
        )
    return exc
