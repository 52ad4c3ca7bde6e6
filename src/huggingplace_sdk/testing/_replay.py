"""A loopback HTTP server that replays a cassette to the real vendor client libraries.

Works for any HTTP client (httpx, httpx2, requests, urllib) because it is a real server: point the
client's base URL at :attr:`ReplayServer.base_url`. Streamed bodies are sent one event per HTTP chunk so
clients really stream.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from huggingplace_sdk.testing._cassette import Interaction, load_cassette

UNMATCHED_STATUS = 599
_REPLAY_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"

# Headers that describe one connection or the recorded framing; the replay recomputes its own.
_NOT_REPLAYED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """One request the client sent to the replay server."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    matched: Interaction | None  # None: answered with status 599

    @property
    def json(self) -> Any:
        """The parsed JSON body, or ``None`` when the body is empty or not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def _stream_pieces(body: bytes, content_type: str) -> Iterator[bytes]:
    """Split a streamed body at event boundaries so each piece is flushed on its own."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/event-stream":
        separator = b"\r\n\r\n" if b"\r\n\r\n" in body else b"\n\n"
        start = 0
        while start < len(body):
            end = body.find(separator, start)
            end = len(body) if end < 0 else end + len(separator)
            yield body[start:end]
            start = end
    elif kind in ("application/x-ndjson", "application/stream+json", "application/jsonl"):
        yield from body.splitlines(keepends=True)
    elif kind == "application/vnd.amazon.eventstream":
        # Each frame starts with its total length (big-endian uint32).
        start = 0
        while start + 4 <= len(body):
            (length,) = struct.unpack(">I", body[start : start + 4])
            if length <= 0:
                break
            yield body[start : start + length]
            start += length
        if start < len(body):
            yield body[start:]
    else:
        yield body


def _inferred_content_type(body: bytes, encoded: bool) -> str:
    """The content type a header-less recorded body evidently has ("" when it cannot be told)."""
    if encoded:
        return ""
    start = body.lstrip()[:16]
    if start.startswith((b"event:", b"data:", b"id:", b":")):
        return "text/event-stream"
    try:
        json.loads(body)
    except ValueError:
        return ""
    return "application/json"


_STREAMED_TYPES = (
    "text/event-stream",
    "application/x-ndjson",
    "application/stream+json",
    "application/jsonl",
    "application/vnd.amazon.eventstream",
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate small writes: with Nagle's algorithm each response would wait
    # for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server: _Server

    def date_time_string(self, timestamp: float | None = None) -> str:
        """A fixed Date header: two replays of one recording give the caller equal responses (google-genai
        hands the response headers to the caller)."""
        return _REPLAY_DATE

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads ``ReplayServer.requests`` instead of stderr."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        body = self._read_body()
        split = urlsplit(self.path)
        query = tuple(sorted(parse_qsl(split.query, keep_blank_values=True)))
        replay = self.server.replay
        interaction = replay._take(self.command, split.path, query)
        replay._record(
            ReceivedRequest(
                method=self.command,
                path=split.path,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                matched=interaction,
            )
        )
        if interaction is None:
            self._send_unmatched(split.path, query)
        else:
            self._send_interaction(interaction)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _send_unmatched(self, path: str, query: tuple[tuple[str, str], ...]) -> None:
        where = path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
        message = (
            f"ReplayServer: no unused recorded interaction for {self.command} {where} "
            f"in {self.server.replay.cassette_path}"
        )
        payload = json.dumps({"error": {"message": message, "type": "replay_unmatched"}}).encode()
        self.send_response(UNMATCHED_STATUS, "Unmatched Request")
        self.send_header("Content-Type", "application/json")
        # Stainless clients (openai, anthropic) honour this and do not retry the 5xx.
        self.send_header("x-should-retry", "false")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_interaction(self, interaction: Interaction) -> None:
        response = interaction.response
        self.send_response(response.status, response.reason or None)
        for name, values in response.headers.items():
            lowered = name.lower()
            if lowered in _NOT_REPLAYED:
                continue
            if lowered == "content-encoding" and not response.encoded:
                continue  # the body was stored decoded
            for value in values:
                self.send_header(name, value)
        content_type = response.header("content-type") or ""
        if not content_type:
            # Some recordings kept no response headers at all: clients still need to know what the body is.
            content_type = _inferred_content_type(response.body, response.encoded)
            if content_type:
                self.send_header("Content-Type", content_type)
        streamed = (
            not response.encoded
            and content_type.split(";")[0].strip().lower() in _STREAMED_TYPES
            and self.command != "HEAD"
        )
        if not streamed:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        fault = self.server.replay.stream_fault
        sent = 0
        for piece in _stream_pieces(response.body, content_type):
            if not piece:
                continue
            if fault is not None and sent >= fault.after_pieces:
                self._apply_stream_fault(fault)
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            sent += 1
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _apply_stream_fault(self, fault: StreamFault) -> None:
        if fault.mode == "stall":
            # Hold the stream open, sending nothing, until the test releases it or the server stops.
            self.server.replay._release.wait(timeout=fault.max_stall)
        # Cut the connection without the final chunk: the client sees a broken stream.
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


@dataclass(frozen=True)
class StreamFault:
    """Break every streamed response after ``after_pieces`` events: ``abort`` cuts the connection,
    ``stall`` holds it silent until ``ReplayServer.release()`` (or ``max_stall`` seconds), then cuts it."""

    mode: str = "abort"
    after_pieces: int = 1
    max_stall: float = 30.0

    def __post_init__(self) -> None:
        if self.mode not in ("abort", "stall"):
            raise ValueError("StreamFault.mode must be 'abort' or 'stall'")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a client may keep a pooled connection open; never wait for it
    replay: ReplayServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client dropping its pooled connection (or a stream it stopped reading) is normal here."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class ReplayServer:
    """Serve a cassette's recorded responses on ``127.0.0.1`` (a context manager).

    Requests are matched by method, path and query (order-insensitive); among the matches the recorded
    order is kept with one cursor per (method, path, query). A request with no unused match is answered
    with status 599 and a message naming the request and the cassette, and is still recorded, so the test
    fails loudly instead of silently passing.
    """

    def __init__(self, cassette_path: str | os.PathLike[str] | Sequence[Interaction], *, repeat: bool = False,
                 stream_fault: StreamFault | None = None,
                 interactions: Sequence[Interaction] | None = None) -> None:
        """``cassette_path`` is a cassette file, or recorded interactions (e.g. picked from several cassettes
        for a multi-turn run: each is served once, in the given order among requests of the same kind).
        ``repeat=True`` serves matched interactions again and again (for exit-path tests that make the
        same call many times); ``stream_fault`` breaks streamed responses on purpose; ``interactions``
        serves these (e.g. mutated ones) instead of the cassette's own."""
        if isinstance(cassette_path, (str, os.PathLike)):
            self.cassette_path = str(cassette_path)
            self.interactions: list[Interaction] = (
                load_cassette(cassette_path) if interactions is None else list(interactions))
        else:
            self.cassette_path = "<recorded interactions>"
            self.interactions = [replace(interaction, index=index) for index, interaction in enumerate(cassette_path)]
        self.repeat = repeat
        self.stream_fault = stream_fault
        self._release = threading.Event()
        self._pending: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[Interaction]] = {}
        for interaction in self.interactions:
            key = (interaction.request.method, interaction.request.path, interaction.request.query)
            self._pending.setdefault(key, []).append(interaction)
        self._served: set[int] = set()
        self._requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> ReplayServer:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.replay = self
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="ReplayServer", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def release(self) -> None:
        """Let stalled streams go (they are then cut)."""
        self._release.set()

    def stop(self) -> None:
        self._release.set()
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what tests use ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("ReplayServer is not started (use it as a context manager)")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def unused(self) -> list[Interaction]:
        """Recorded interactions never served, in recorded order."""
        with self._lock:
            return [i for i in self.interactions if i.index not in self._served]

    def served(self) -> list[Interaction]:
        """Recorded interactions served so far, in recorded order."""
        with self._lock:
            return [i for i in self.interactions if i.index in self._served]

    # --- called by the handler ---------------------------------------------------------------------
    def _take(self, method: str, path: str, query: tuple[tuple[str, str], ...]) -> Interaction | None:
        with self._lock:
            pending = self._pending.get((method.upper(), path, query))
            if not pending:
                return None
            interaction = pending[0] if self.repeat else pending.pop(0)
            self._served.add(interaction.index)
            return interaction

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(request)
