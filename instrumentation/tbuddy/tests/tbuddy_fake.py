"""A local fake of the TBuddy orchestrator v2: REST and the session WebSocket on one loopback port.

The real ``TBuddy_SDK`` derives its WebSocket URL from its base URL, so both are served from the same
port. HTTP is parsed by hand (asyncio streams, keep-alive); the WebSocket side uses the ``websockets``
package's sans-I/O server protocol. Tests script what each session returns and inject faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.http11 import Request as WsRequest
from websockets.protocol import State
from websockets.server import ServerProtocol

API_BASE = "/api/v2/orchestrator"
TEST_API_KEY = "tb-live-SECRET-0123456789abcdef"  # the key tests give the client; never in a span
_SESSION_PATH = re.compile(rf"^{API_BASE}/session/(?P<sid>[^/]+)(?:/(?P<what>[a-z]+))?$")
_WS_PATH = re.compile(rf"^{API_BASE}/ws/(?P<sid>[^/?]+)$")


@dataclass
class FakeSession:
    """What the fake platform knows and answers about one session."""

    session_id: str
    status: str = "completed"
    progress: int = 100
    destination: str = "Paris"
    updates: list[dict[str, Any]] = field(default_factory=list)  # sent in order over the WebSocket
    result_status: int = 200  # HTTP status of GET .../result (400 = not completed)
    errors: list[str] = field(default_factory=list)

    def result(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "status": self.status,
            "destination": self.destination,
            "travel_dates": ["2026-07-01", "2026-07-03"],
            "messages": ["Your plan is ready"],
            "errors": self.errors,
            "agent_statuses": {"weather": "completed", "itinerary": "completed"},
        }


@dataclass
class ReceivedCall:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeTBuddy:
    """Start with ``await FakeTBuddy.start(api_key)``; ``base_url`` is what the client is pointed at."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.sessions: dict[str, FakeSession] = {}
        self.calls: list[ReceivedCall] = []
        self.ws_connections: list[str] = []  # session ids, in connection order
        # (method, path suffix) -> HTTP statuses to answer before serving normally (fault injection).
        self.faults: dict[tuple[str, str], list[int]] = {}
        self.quote_key_in_faults = False  # injected failures quote the caller's API key in their detail
        self.drop_ws_after: int | None = None  # close the socket without a close frame after N updates
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._next_session = 0
        self._call_arrived = asyncio.Event()

    @classmethod
    async def start(cls, api_key: str) -> FakeTBuddy:
        fake = cls(api_key)
        fake._server = await asyncio.start_server(fake._handle, "127.0.0.1", 0)
        return fake

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_session(self, session: FakeSession) -> FakeSession:
        self.sessions[session.session_id] = session
        return session

    async def wait_for_call(self, method: str, suffix: str) -> ReceivedCall:
        """The first received ``method`` call whose path ends with ``suffix`` (waits for it to arrive)."""
        while True:
            for call in self.calls:
                if call.method == method and call.path.endswith(suffix):
                    return call
            self._call_arrived.clear()
            await asyncio.wait_for(self._call_arrived.wait(), 10)

    def fail(self, method: str, suffix: str, *statuses: int) -> None:
        """Answer the next requests ``method`` ``.../suffix`` with these HTTP statuses first."""
        self.faults.setdefault((method, suffix), []).extend(statuses)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    # --- connection handling --------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                if headers.get("upgrade", "").lower() == "websocket":
                    await self._serve_websocket(head, target, reader, writer)
                    return
                length = int(headers.get("content-length", "0"))
                raw = await reader.readexactly(length) if length else b""
                body = json.loads(raw) if raw else None
                self.calls.append(ReceivedCall(method, urlsplit(target).path, headers, body))
                self._call_arrived.set()
                status, payload = self._route(method, urlsplit(target).path, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode() + data
                )
                await writer.drain()
        finally:
            self._writers.discard(writer)
            writer.close()

    def _route(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if headers.get("x-api-key") != self.api_key:
            return 401, {"error": "Unauthorized"}
        suffix = path.removeprefix(API_BASE + "/")
        for (fault_method, fault_suffix), statuses in self.faults.items():
            if fault_method == method and suffix.endswith(fault_suffix) and statuses:
                detail = "injected failure"
                if self.quote_key_in_faults:  # a platform that quotes the caller's key back in its errors
                    detail += f" for key {headers.get('x-api-key')}"
                return statuses.pop(0), {"detail": detail}
        if method == "POST" and suffix == "plan":
            return self._plan(body or {})
        if method == "GET" and suffix == "health":
            return 200, {"status": "healthy", "orchestrator": "up", "redis": "up",
                         "timestamp": "2026-01-01T00:00:00"}
        match = _SESSION_PATH.match(path)
        if match is None:
            return 404, {"detail": "no route"}
        session = self.sessions.get(match["sid"])
        if session is None:
            return 404, {"detail": f"Session {match['sid']} not found"}
        what = match["what"]
        if method == "GET" and what == "status":
            return 200, {"session_id": session.session_id, "status": session.status,
                         "progress_percent": session.progress, "completed_agents": ["weather"]}
        if method == "GET" and what == "result":
            if session.result_status != 200:
                return session.result_status, {"detail": "Session not completed"}
            return 200, session.result()
        if method == "GET" and what == "memory":
            return 200, {"session_id": session.session_id, "exists": True,
                         "destination": session.destination, "conversation_turns": 2}
        if method == "GET" and what == "history":
            return 200, {"session_id": session.session_id, "total_turns": 1,
                         "conversation_history": [{"role": "user", "content": "hi"}]}
        if method == "PUT" and what == "extend":
            return 200, {"session_id": session.session_id, "extended_hours": (body or {}).get("hours")}
        if method == "DELETE" and what is None:
            del self.sessions[session.session_id]
            return 200, {"session_id": session.session_id, "deleted": True}
        return 405, {"detail": "method not allowed"}

    def _plan(self, body: dict[str, Any]) -> tuple[int, Any]:
        session_id = body.get("session_id")
        if session_id is None:
            self._next_session += 1
            session_id = f"sess-{self._next_session:04d}"
        session = self.sessions.get(session_id) or self.add_session(FakeSession(session_id))
        return 200, {
            "session_id": session.session_id,
            "status": "processing",
            "websocket_url": f"/api/v2/orchestrator/ws/{session.session_id}",
            "is_follow_up": body.get("session_id") is not None,
        }

    async def _serve_websocket(
        self, head: bytes, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        protocol = ServerProtocol()
        protocol.receive_data(head)
        request = protocol.events_received()[0]
        assert isinstance(request, WsRequest)
        parts = urlsplit(target)
        match = _WS_PATH.match(parts.path)
        key = parse_qs(parts.query).get("api_key", [""])[0]
        if match is None or key != self.api_key:
            protocol.send_response(protocol.reject(403, "Forbidden"))
            await _flush(protocol, writer)
            return
        protocol.send_response(protocol.accept(request))
        await _flush(protocol, writer)
        session = self.sessions.get(match["sid"])
        self.ws_connections.append(match["sid"])
        updates = session.updates if session else []
        for sent, update in enumerate(updates):
            if self.drop_ws_after is not None and sent >= self.drop_ws_after:
                writer.transport.abort()  # no close frame: a dropped connection
                return
            protocol.send_text(json.dumps(update).encode())
            await _flush(protocol, writer)
        protocol.send_close(1000, "done")
        await _flush(protocol, writer)
        # Answer the client's close frame, then hang up.
        with contextlib.suppress(Exception):
            while protocol.state is not State.CLOSED:
                data = await asyncio.wait_for(reader.read(65536), 10)
                if not data:
                    break
                protocol.receive_data(data)
                protocol.events_received()
                await _flush(protocol, writer)


async def _flush(protocol: ServerProtocol, writer: asyncio.StreamWriter) -> None:
    for chunk in protocol.data_to_send():
        if chunk:
            writer.write(chunk)
    await writer.drain()


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


def agent_updates(session_id: str) -> list[dict[str, Any]]:
    """A typical successful stream: two agents start, report progress and complete."""
    def update(kind: str, message: str, agent: str | None = None, progress: int | None = None) -> dict[str, Any]:
        return {"type": kind, "session_id": session_id, "agent": agent, "message": message,
                "progress_percent": progress}

    return [
        update("connected", "Connected to session stream"),
        update("agent_start", "Weather agent started", "weather", 10),
        update("agent_start", "Itinerary agent started", "itinerary", 20),
        update("progress", "Fetching forecast", "weather", 40),
        update("agent_update", "Weather agent finished", "weather", 60),
        update("agent_update", "Itinerary agent finished", "itinerary", 90),
        update("completed", "Plan ready", None, 100),
    ]
