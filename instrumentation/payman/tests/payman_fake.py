"""A local fake of the Payman agent platform (OAuth token endpoint + A2A ``tasks/send``) on loopback.

Runs a stdlib ``ThreadingHTTPServer`` in a background thread because ``payman_sdk`` is synchronous
(``requests``). Tests script the agent's answer and inject faults (HTTP errors, JSON-RPC errors, a
connection dropped without any response).
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN_PATH = "/api/oauth2/token"
TASKS_SEND_PATH = "/api/a2a/tasks/send"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    access_token: str
    refresh_token: str
    auth_code: str


# What tests give the client and the fake; none of these values may appear in a span.
TEST_CREDENTIALS = Credentials("client-abc", "cs-SECRET-9f8e7d", "at-TOKEN-1a2b3c", "rt-REFRESH-4d5e6f",
                               "ac-CODE-7g8h9i")


@dataclass
class ReceivedCall:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakePayman:
    """Use as a context manager; ``base_url`` is what the client's ``base_url`` is set to."""

    def __init__(self, client_id: str, client_secret: str, access_token: str, refresh_token: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.answer = "Sent $25 to Alice."
        self.task_state = "completed"
        self.rpc_error: dict[str, Any] | None = None  # a JSON-RPC error object to answer with
        self.task_http_status = 200
        self.token_http_status = 200
        self.drop_next_task = False  # close the connection without answering
        self.calls: list[ReceivedCall] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval so that shutdown() returns promptly at teardown.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    def __enter__(self) -> FakePayman:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def calls_to(self, path: str) -> list[ReceivedCall]:
        return [call for call in self.calls if call.path == path]

    def _token(self, call: ReceivedCall) -> tuple[int, Any]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if call.headers.get("authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        if self.token_http_status != 200:
            return self.token_http_status, {"error": "server_error"}
        return 200, {"accessToken": self.access_token, "tokenType": "Bearer", "expiresIn": 3600,
                     "scope": "agent", "refreshToken": self.refresh_token}

    def _tasks_send(self, call: ReceivedCall) -> tuple[int, Any]:
        if call.headers.get("x-payman-access-token") != self.access_token:
            return 401, {"error": "invalid_token"}
        if self.task_http_status != 200:
            return self.task_http_status, {"error": "unavailable"}
        request = call.body
        params = request["params"]
        if self.rpc_error is not None:
            return 200, {"jsonrpc": "2.0", "id": request["id"], "result": None, "error": self.rpc_error}
        task = {
            "id": params["id"],
            "session_id": params["sessionId"],
            "status": {"state": self.task_state, "timestamp": "2026-01-01T00:00:00Z", "message": None},
            "artifacts": [{"name": "response", "description": None, "metadata": {},
                           "parts": [{"type": "text", "text": self.answer, "metadata": None}]}],
            "metadata": {},
        }
        return 200, {"jsonrpc": "2.0", "id": request["id"], "result": task, "error": None}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = ReceivedCall("POST", parts.path, parse_qs(parts.query),
                                    {k.lower(): v for k, v in self.headers.items()},
                                    json.loads(raw) if raw else None)
                fake.calls.append(call)
                if parts.path == TASKS_SEND_PATH and fake.drop_next_task:
                    fake.drop_next_task = False
                    self.close_connection = True
                    self.connection.close()
                    return
                if parts.path == TOKEN_PATH:
                    status, payload = fake._token(call)
                elif parts.path == TASKS_SEND_PATH:
                    status, payload = fake._tasks_send(call)
                else:
                    status, payload = 404, {"error": "not_found"}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
