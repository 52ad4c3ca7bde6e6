"""A local fake of the Conversimple platform: a WebSocket server speaking its Phoenix-channel protocol.

The SDK connects to ``{url}?customer_id=..&auth_token=..`` with subprotocol ``phoenix-websocket``, sends
a ``phx_join`` object and expects an array reply ``[join_ref, ref, topic, "phx_reply", {"status": ..}]``.
The platform then pushes events as ``[null, null, topic, event, payload]`` and the SDK sends objects
``{"join_ref", "ref", "topic", "event", "payload"}``. Tests drive each connection through a
:class:`FakeChannel`: push events in, await the SDK's messages out, or drop the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve

WAIT_SECONDS = 10.0  # a safety net for a broken test, never a way to let time pass
TEST_API_KEY = "cs-live-SECRET-5566778899"  # the key tests give the agent; never in a span


class FakeChannel:
    """One accepted SDK connection after its channel join."""

    def __init__(self, connection: ServerConnection, topic: str, query: dict[str, list[str]]) -> None:
        self.connection = connection
        self.topic = topic
        self.query = query
        self.received: list[dict[str, Any]] = []
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.closed = asyncio.Event()

    async def push(self, event: str, payload: dict[str, Any]) -> None:
        await self.connection.send(json.dumps([None, None, self.topic, event, payload]))

    async def expect(self, event: str) -> dict[str, Any]:
        """The payload of the next SDK message named ``event`` (other messages are skipped)."""
        while True:
            message = await asyncio.wait_for(self._inbox.get(), WAIT_SECONDS)
            if message.get("event") == event:
                return dict(message.get("payload") or {})

    async def drop(self) -> None:
        """Cut the connection without a close frame, as a network failure would."""
        self.connection.transport.abort()
        await asyncio.wait_for(self.closed.wait(), WAIT_SECONDS)

    async def _pump(self) -> None:
        try:
            async for raw in self.connection:
                message = json.loads(raw)
                self.received.append(message)
                await self._inbox.put(message)
        except Exception:
            pass
        finally:
            self.closed.set()


class FakeConversimple:
    """Start with ``await FakeConversimple.start(api_key)``; ``url`` is the SDK's ``platform_url``."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.join_error_reason: str | None = None  # reject every join with this reason
        self.echo_token_on_refusal = False  # a platform that quotes the refused token back
        self.refuse_handshake_status: int | None = None  # answer the WebSocket upgrade with this HTTP status
        self.channels: list[FakeChannel] = []
        self.join_attempts = 0
        self._joined = asyncio.Event()
        self._new_channels: asyncio.Queue[FakeChannel] = asyncio.Queue()
        self._server: Server | None = None

    @classmethod
    async def start(cls, api_key: str) -> FakeConversimple:
        fake = cls(api_key)
        fake._server = await serve(fake._handle, "127.0.0.1", 0, subprotocols=["phoenix-websocket"],  # type: ignore[list-item]
                                   process_request=fake._process_request)
        return fake

    @property
    def url(self) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/customer_sdk/websocket"

    async def wait_for_joins(self, count: int) -> None:
        """Until ``count`` joins (accepted or refused) have been answered."""
        while self.join_attempts < count:
            self._joined.clear()
            await asyncio.wait_for(self._joined.wait(), WAIT_SECONDS)

    async def next_channel(self) -> FakeChannel:
        return await asyncio.wait_for(self._new_channels.get(), WAIT_SECONDS)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), WAIT_SECONDS)

    def _process_request(self, connection: ServerConnection, request: Any) -> Any:
        if self.refuse_handshake_status is not None:
            self.join_attempts += 1
            self._joined.set()
            return connection.respond(self.refuse_handshake_status, "unavailable\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        query = parse_qs(urlsplit(connection.request.path).query)
        join = json.loads(await connection.recv())
        reply_status, reason = "ok", None
        token = query.get("auth_token", [""])[0]
        if token != self.api_key:
            reply_status, reason = "error", "invalid_api_key"
            if self.echo_token_on_refusal:
                reason = f"invalid_api_key: {token}"
        elif self.join_error_reason is not None:
            reply_status, reason = "error", self.join_error_reason
        self.join_attempts += 1
        self._joined.set()
        response = {"reason": reason} if reason else {}
        await connection.send(json.dumps(
            [join["join_ref"], join["ref"], join["topic"], "phx_reply",
             {"status": reply_status, "response": response}]
        ))
        if reply_status != "ok":
            await connection.close()
            return
        channel = FakeChannel(connection, join["topic"], query)
        self.channels.append(channel)
        await self._new_channels.put(channel)
        await channel._pump()
