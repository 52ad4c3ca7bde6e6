"""Conversation spans: one ``conversimple.conversation`` span per conversation an agent takes part in.

A conversation starts when the platform says so (``conversation_lifecycle``/``conversation_started`` or
``conversation_ready``), or when a dispatcher starts an agent for a known conversation id; it ends on
``conversation_ended``, when the agent stops, or (abandoned) when the agent is garbage-collected.
The span carries the conversation id as ``session.id`` and parents the tool calls made within it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Engine, EngineRef, Operation, argument_of, guarded

from ._calls import PROVIDER, conversation_attributes

CONVERSATION_SPAN = f"{PROVIDER}.conversation"
ENDED_BY_PLATFORM = "conversation_ended"
ENDED_BY_AGENT_STOP = "agent_stopped"
ENDED_ABANDONED = "abandoned"
ENDED_UNINSTRUMENTED = "uninstrumented"
MAX_EVENTS_PER_CONVERSATION = 128  # the SDK can reconnect without bound; a span must not grow so


@dataclass
class Conversation:
    conversation_id: str
    operation: Operation
    tool_calls: int = 0
    events: int = 0

    def add_event(self, name: str, attributes: Mapping[str, AttributeValue]) -> None:
        self.events += 1
        if self.events <= MAX_EVENTS_PER_CONVERSATION:
            self.operation.add_event(name, attributes)

    def end(self, reason: str) -> None:
        self.operation.set_attribute(sc.HP_CONVERSIMPLE_END_REASON, reason)
        self.operation.set_attribute(sc.HP_CONVERSIMPLE_TOOL_CALLS, self.tool_calls)
        if self.events > MAX_EVENTS_PER_CONVERSATION:
            self.operation.set_attribute(sc.HP_CONVERSIMPLE_EVENTS_DROPPED,
                                         self.events - MAX_EVENTS_PER_CONVERSATION)
        self.operation.end(sc.ERROR_ABANDONED if reason == ENDED_ABANDONED else None)


@dataclass
class AgentConversations:
    """The open conversations of one agent (kept beside it, never on it)."""

    open: dict[str, Conversation] = field(default_factory=dict)

    def end_all(self, reason: str) -> None:
        for conversation_id in list(self.open):
            self.open.pop(conversation_id).end(reason)

    def for_call(self, conversation_id: Any, agent_conversation_id: Any) -> Conversation | None:
        """The conversation a tool call belongs to: named by the call, the agent, or the only one open."""
        for candidate in (conversation_id, agent_conversation_id):
            if isinstance(candidate, str) and candidate in self.open:
                return self.open[candidate]
        return next(iter(self.open.values())) if len(self.open) == 1 else None


_by_agent: weakref.WeakKeyDictionary[Any, AgentConversations] = weakref.WeakKeyDictionary()
_by_connection: weakref.WeakKeyDictionary[Any, AgentConversations] = weakref.WeakKeyDictionary()


def end_every_conversation(reason: str) -> None:
    """Instrumentation is going away: no hook will see these conversations end."""
    for state in list(_by_agent.values()):
        state.end_all(reason)


def conversations_of(agent: Any) -> AgentConversations | None:
    return _by_agent.get(agent)


def conversations_of_connection(connection: Any) -> AgentConversations | None:
    return _by_connection.get(connection)


def open_conversation(engine: Engine, agent: Any, conversation_id: Any) -> None:
    if not isinstance(conversation_id, str) or not conversation_id:
        return
    state = _by_agent.get(agent)
    if state is None:
        state = _by_agent[agent] = AgentConversations()
        # An agent dropped without stop(): its conversations end as abandoned, not never.
        weakref.finalize(agent, state.end_all, ENDED_ABANDONED)
    connection = getattr(agent, "connection", None)
    if connection is not None:
        _by_connection[connection] = state
    if conversation_id in state.open:
        return
    attributes: dict[str, AttributeValue | None] = {
        sc.GEN_AI_PROVIDER_NAME: PROVIDER, **conversation_attributes(conversation_id)}
    state.open[conversation_id] = Conversation(conversation_id,
                                               engine.start_operation(CONVERSATION_SPAN, attributes=attributes))


def end_conversation(agent: Any, conversation_id: Any, reason: str) -> None:
    state = _by_agent.get(agent)
    if state is not None and isinstance(conversation_id, str):
        conversation = state.open.pop(conversation_id, None)
        if conversation is not None:
            conversation.end(reason)


def _started_id(payload: Any, *, lifecycle: bool) -> Any:
    if not isinstance(payload, dict):
        return None
    if lifecycle and payload.get("event") != "conversation_started":
        return None
    return payload.get("conversation_id")


def make_started_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``_handle_conversation_lifecycle(payload)``: a ``conversation_started`` event opens one."""
    return _started_wrapper(engine_ref, lifecycle=True)


def make_ready_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``_handle_conversation_ready(payload)``: the platform's ready message opens one."""
    return _started_wrapper(engine_ref, lifecycle=False)


def _started_wrapper(engine_ref: EngineRef, *, lifecycle: bool) -> Callable[..., Any]:
    async def started(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        engine = engine_ref()
        if engine is not None:
            payload = argument_of(args, kwargs, 0, "payload")
            guarded("conversimple.conversation.start", open_conversation, engine, instance,
                    _started_id(payload, lifecycle=lifecycle))
        return await wrapped(*args, **kwargs)

    return started


def make_agent_start_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``start(conversation_id=None)``: a dispatcher starts an agent for a known conversation."""

    async def start(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
        result = await wrapped(*args, **kwargs)
        engine = engine_ref()
        conversation_id = argument_of(args, kwargs, 0, "conversation_id")
        if engine is not None and conversation_id is not None:
            guarded("conversimple.conversation.start", open_conversation, engine, instance, conversation_id)
        return result

    return start


def make_ended_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``_notify_conversation_ended(conversation_id, payload=None)``; the user's callback runs first."""

    async def ended(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
        try:
            return await wrapped(*args, **kwargs)
        finally:
            conversation_id = argument_of(args, kwargs, 0, "conversation_id")
            payload = argument_of(args, kwargs, 1, "payload")
            reason = ENDED_BY_PLATFORM if payload is not None else ENDED_BY_AGENT_STOP
            guarded("conversimple.conversation.end", end_conversation, instance, conversation_id, reason)

    return ended


def make_stop_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``stop()``: every conversation still open ends with the agent."""

    async def stop(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
        try:
            return await wrapped(*args, **kwargs)
        finally:
            state = _by_agent.get(instance)
            if state is not None:
                guarded("conversimple.conversation.end", state.end_all, ENDED_BY_AGENT_STOP)

    return stop
