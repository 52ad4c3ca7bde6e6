"""The session WebSocket: one ``tbuddy.stream`` span per connection, one child span per platform agent.

Why spans for agents and not only events: the SDK reads the stream in a background task that often
outlives ``submit_query`` (its span has ended by then, and events added to an ended span are lost), and
each agent runs for a measurable time between ``agent_start`` and ``agent_update``. So the stream gets its
own span (parented to the query that opened it), each agent a child span from start to completion or
error, and every update an event (type, agent, progress) on the agent's span, or on the stream's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Engine, EngineRef, Operation, guarded, report_internal_error, scrub_secrets

from ._codecs import PROVIDER, secrets_of, session_attributes

STREAM_SPAN = f"{PROVIDER}.stream"
AGENT_SPAN = f"{PROVIDER}.agent"
FINAL_UPDATES = frozenset({"completed", "error", "timeout"})
MAX_EVENTS_PER_STREAM = 256  # a chatty stream must not grow a span without bound
AGENT_ERROR = "agent_error"
SESSION_ERROR = "session_error"


class StreamObserver:
    """Follows one WebSocket connection's updates; every method is guarded by its caller."""

    def __init__(self, engine: Engine, client: Any) -> None:
        self._engine = engine
        self._secrets = secrets_of(client)
        attributes: dict[str, AttributeValue | None] = {
            sc.GEN_AI_PROVIDER_NAME: PROVIDER, **session_attributes(getattr(client, "_session_id", None))}
        self.stream = engine.start_operation(STREAM_SPAN, attributes=attributes)
        self._agents: dict[str, Operation] = {}
        self._updates = 0
        self._events = 0
        self._final: str | None = None

    # --- updates -----------------------------------------------------------------------------------------
    def on_update(self, update: Any) -> None:
        kind = getattr(update, "type", None)
        if not isinstance(kind, str):
            return
        agent = getattr(update, "agent", None)
        agent = agent if isinstance(agent, str) and agent else None
        progress = getattr(update, "progress_percent", None)
        self._updates += 1
        if isinstance(progress, int):
            self.stream.set_attribute(sc.HP_TBUDDY_PROGRESS, progress)
        if kind == "agent_start" and agent is not None and agent not in self._agents:
            self._agents[agent] = self._engine.start_operation(
                f"{AGENT_SPAN} {agent}", parent=self.stream.span,
                attributes={sc.GEN_AI_PROVIDER_NAME: PROVIDER, sc.GEN_AI_AGENT_NAME: agent},
            )
        target = self._agents.get(agent) if agent is not None else None
        self._add_event(target or self.stream, kind, agent, progress, getattr(update, "message", None))
        if target is not None:
            message = getattr(update, "message", "")
            if kind == "agent_update" or (kind == "progress" and "completed" in str(message).lower()):
                self._end_agent(agent, "completed")
            elif kind == "error":
                self._end_agent(agent, "failed", error=AGENT_ERROR)
        if kind in FINAL_UPDATES:
            self._final = kind
            self.stream.set_attribute(sc.HP_TBUDDY_FINAL_UPDATE, kind)
            if kind == "error":  # the SDK stops listening after any error: the session failed
                self.stream.record_error(AGENT_ERROR if agent is not None else SESSION_ERROR)
            elif kind == "timeout":
                self.stream.record_error(sc.ERROR_TIMEOUT)

    def _add_event(self, operation: Operation, kind: str, agent: str | None, progress: Any,
                   message: Any) -> None:
        self._events += 1
        if self._events > MAX_EVENTS_PER_STREAM:
            return
        attributes: dict[str, AttributeValue] = {sc.HP_TBUDDY_UPDATE_TYPE: kind}
        if agent is not None:
            attributes[sc.GEN_AI_AGENT_NAME] = agent
        if isinstance(progress, int):
            attributes[sc.HP_TBUDDY_PROGRESS] = progress
        if self._engine.content.capture and isinstance(message, str) and message:
            attributes[sc.HP_TBUDDY_UPDATE_MESSAGE] = scrub_secrets(message, self._secrets)
        operation.add_event(sc.TBUDDY_EVENT_UPDATE, attributes)

    def _end_agent(self, agent: str | None, outcome: str, *, error: str | None = None) -> None:
        operation = self._agents.pop(agent, None) if agent is not None else None
        if operation is not None:
            operation.set_attribute(sc.HP_TBUDDY_AGENT_OUTCOME, outcome)
            operation.end(error)

    # --- the end of the connection -----------------------------------------------------------------------
    def finish(self, error: BaseException | None) -> None:
        stream = self.stream
        for agent in list(self._agents):
            self._end_agent(agent, "incomplete")
        stream.set_attribute(sc.HP_TBUDDY_UPDATE_COUNT, self._updates)
        if self._events > MAX_EVENTS_PER_STREAM:
            stream.add_event(sc.TBUDDY_EVENT_EVENTS_DROPPED,
                             {sc.HP_TBUDDY_UPDATE_COUNT: self._events - MAX_EVENTS_PER_STREAM})
        if error is not None and not (isinstance(error, asyncio.CancelledError) and self._final is not None):
            stream.record_error(error, secrets=self._secrets)
        elif error is None and self._final is None:
            stream.record_error(sc.ERROR_INCOMPLETE)  # closed or dropped before the platform's final update
        stream.end()

    def observe(self, callback: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
        """The user's callback, seeing each update after we recorded it."""
        async def observed(update: Any) -> Any:
            guarded("tbuddy.stream.update", self.on_update, update)
            return await callback(update)

        return observed


def make_connect_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``WebSocketClient.connect(callback)``, which runs in the SDK's background listener task."""

    async def connect(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        engine = engine_ref()
        if engine is None:
            return await wrapped(*args, **kwargs)
        try:
            observer = StreamObserver(engine, instance)
            if args:
                args = (observer.observe(args[0]), *args[1:])
            else:
                kwargs = {**kwargs, "callback": observer.observe(kwargs["callback"])}
        except Exception as exc:
            report_internal_error("tbuddy.stream.start", exc)
            return await wrapped(*args, **kwargs)
        token = otel_context.attach(trace.set_span_in_context(observer.stream.span))
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            _finish(observer, exc)
            raise
        finally:
            otel_context.detach(token)
        _finish(observer, None)
        return result

    return connect


def _finish(observer: StreamObserver, error: BaseException | None) -> None:
    try:
        observer.finish(error)
    except Exception as exc:
        observer.stream.end()
        report_internal_error("tbuddy.stream.finish", exc)
