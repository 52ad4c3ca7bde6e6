"""HTTP/1.1 plumbing on the stdlib server: body reading, faults, auth, dispatch through the route table."""

from __future__ import annotations

import gzip
import logging
import socket
import threading
import zlib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._context import ServerContext
from ._faults import Fail, Hang
from ._routes import BadRequest, Request, Response, Route, Router

logger = logging.getLogger("huggingplace.server")


class _BodyProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HuggingPlaceHTTPServer(ThreadingHTTPServer):
    """Threading server that knows its open connections, so stopping it never waits on a keep-alive."""

    daemon_threads = True
    request_queue_size = 128  # the stdlib default (5) refuses bursts of concurrent clients
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], context: ServerContext, router: Router) -> None:
        self.context = context
        self.router = router
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def track(self, connection: socket.socket, active: bool) -> None:
        with self._connections_lock:
            if active:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that vanished mid-request is normal for a test peer; keep stderr quiet.
        logger.debug("connection error from %s", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HuggingPlaceLocal/1"
    disable_nagle_algorithm = True
    server: HuggingPlaceHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # --- request ----------------------------------------------------------------------------------
    @property
    def _limit(self) -> int:
        return self.server.context.max_body_bytes

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = self._read_chunked()
        else:
            length_text = self.headers.get("Content-Length", "0") or "0"
            try:
                length = int(length_text)
            except ValueError:
                self.close_connection = True
                raise _BodyProblem(400, "invalid Content-Length") from None
            if length > self._limit:
                self.close_connection = True
                raise _BodyProblem(413, f"body larger than {self._limit} bytes")
            raw = self.rfile.read(length) if length > 0 else b""
        return self._decode(raw)

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise _BodyProblem(400, "malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > self._limit:
                self.close_connection = True
                raise _BodyProblem(413, f"body larger than {self._limit} bytes")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _decode(self, raw: bytes) -> bytes:
        encoding = self.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding in ("", "identity"):
            return raw
        if encoding not in ("gzip", "deflate"):
            raise _BodyProblem(415, f"unsupported Content-Encoding {encoding!r}")
        wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        decompressor = zlib.decompressobj(wbits)
        try:
            data = decompressor.decompress(raw, self._limit + 1)
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise _BodyProblem(400, f"body is not valid {encoding}: {exc}") from None
        if len(data) > self._limit:
            raise _BodyProblem(413, f"decompressed body larger than {self._limit} bytes")
        return data

    def _authorized(self, found: Route) -> Response | None:
        keys = self.server.context.api_keys
        if keys is None:
            return None
        header = self.headers.get("Authorization")
        if not header and found.cookie and self.server.context.access.signed_in(
            {"cookie": self.headers.get("Cookie", "")}
        ):
            return None  # the viewer's browser, signed in with a one-time token
        if not header:
            return Response(401, {"error": "missing Authorization header (expected 'Bearer <api key>')"})
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Response(401, {"error": "Authorization must be 'Bearer <api key>'"})
        if token.strip() not in keys:
            return Response(401, {"error": "invalid API key"})
        return None

    # --- dispatch ---------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        try:
            response = self._respond()
        except Exception:
            logger.exception("internal error handling %s %s", self.command, self.path.split("?", 1)[0])
            response = Response(500, {"error": "internal server error"})
        if response.drop:
            self.close_connection = True
            return
        self._send(response)

    def _respond(self) -> Response:
        context = self.server.context
        url = urlsplit(self.path)
        found, params, path_known = self.server.router.match(self.command, url.path)
        try:
            body = self._read_body()
        except _BodyProblem as problem:
            return Response(problem.status, {"message": problem.message, "field": None})
        if found is None:
            if path_known:
                return Response(405, {"error": f"method {self.command} not allowed on {url.path}"})
            return Response(404, {"error": f"no route for {self.command} {url.path}"})
        if found.counted:
            context.count_request()
        if found.faultable:
            injected = self._apply_fault()
            if injected is not None:
                return injected
        denied = self._authorized(found) if found.auth else None
        if denied is not None:
            return denied
        request = Request(
            method=self.command,
            path=url.path,
            params=params,
            query=parse_qs(url.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        return self._call(found, request)

    def _apply_fault(self) -> Response | None:
        faults = self.server.context.faults
        fault = faults.take()
        if isinstance(fault, Hang):
            return None if faults.hold() else Response(status=0, drop=True)  # stopping: no answer
        if isinstance(fault, Fail):
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            body = fault.body if fault.body is not None else {"error": "injected fault"}
            content_type = "application/json" if not isinstance(body, (str, bytes)) else "text/plain"
            return Response(fault.status, body, headers, content_type=content_type)
        return None

    def _call(self, found: Route, request: Request) -> Response:
        try:
            return found.handler(self.server.context, request)
        except BadRequest as exc:
            return Response(400, {"message": exc.message, "field": exc.field})

    def _send(self, response: Response) -> None:
        payload = response.encoded() if response.body is not None else b""
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        lines = [
            f"{self.protocol_version} {response.status} {phrase}",
            f"Server: {self.server_version}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(payload)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in response.headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # One write: headers and body in the same segment keep loopback latency low.
        self.wfile.write(head + payload)
