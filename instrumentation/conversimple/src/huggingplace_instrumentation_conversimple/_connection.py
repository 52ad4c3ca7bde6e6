"""Connection life and platform errors as events on the agent's open conversations.

Reconnect attempts (``WebSocketConnection._attempt_reconnection``), connection state changes the agent
sees (``_handle_connection_event``: connected, disconnected, error, permanent_error), the platform's
``error_notification`` messages and refused channel operations (``phx_reply`` with status ``error``).
With no conversation open there is no span to put them on, and they are not recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import EngineRef, argument_of, error_type_of, guarded, scrub_secrets

from ._calls import secrets_of
from ._conversations import AgentConversations, conversations_of, conversations_of_connection


def _emit(state: AgentConversations | None, name: str, attributes: Mapping[str, AttributeValue]) -> None:
    if state is not None:
        for conversation in state.open.values():
            conversation.add_event(name, attributes)


def make_reconnect_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``WebSocketConnection._attempt_reconnection()`` (it calls itself once per further attempt)."""

    async def attempt(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        if engine_ref() is not None:
            guarded("conversimple.reconnect", _reconnect_event, instance)
        return await wrapped(*args, **kwargs)

    return attempt


def _reconnect_event(connection: Any) -> None:
    attributes: dict[str, AttributeValue] = {}
    done = getattr(connection, "reconnect_attempts", None)
    if isinstance(done, int):
        attributes[sc.HP_CONVERSIMPLE_RECONNECT_ATTEMPT] = done + 1  # the SDK counts it on entry
    limit = getattr(connection, "max_reconnect_attempts", None)
    if isinstance(limit, int):
        attributes[sc.HP_CONVERSIMPLE_RECONNECT_LIMIT] = limit
    _emit(conversations_of_connection(connection), sc.CONVERSIMPLE_EVENT_RECONNECT, attributes)


def make_connection_event_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``ConversimpleAgent._handle_connection_event(event, data=None)``."""

    async def handle(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        if engine_ref() is not None:
            guarded("conversimple.connection", _connection_event, instance,
                    argument_of(args, kwargs, 0, "event"), argument_of(args, kwargs, 1, "data"))
        return await wrapped(*args, **kwargs)

    return handle


def _connection_event(agent: Any, event: Any, data: Any) -> None:
    if not isinstance(event, str):
        return
    attributes: dict[str, AttributeValue] = {sc.HP_CONVERSIMPLE_CONNECTION_STATE: event}
    error = data.get("error") if isinstance(data, dict) else data
    if isinstance(data, dict) and isinstance(data.get("error_code"), str):
        attributes[sc.HP_CONVERSIMPLE_ERROR_CODE] = data["error_code"]
    if isinstance(error, BaseException):
        attributes[sc.ERROR_TYPE] = error_type_of(error)
        attributes[sc.HP_CONVERSIMPLE_ERROR_MESSAGE] = scrub_secrets(str(error), secrets_of(agent))[:1024]
    _emit(conversations_of(agent), sc.CONVERSIMPLE_EVENT_CONNECTION, attributes)


def make_error_notification_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``ConversimpleAgent._handle_error_notification(payload)``."""

    async def handle(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        if engine_ref() is not None:
            guarded("conversimple.platform_error", _platform_error, instance, argument_of(args, kwargs, 0, "payload"))
        return await wrapped(*args, **kwargs)

    return handle


def _platform_error(agent: Any, payload: Any) -> None:
    if not isinstance(payload, dict):
        return
    attributes: dict[str, AttributeValue] = {}
    if isinstance(payload.get("error_type"), str):
        attributes[sc.HP_CONVERSIMPLE_ERROR_KIND] = payload["error_type"]
    if isinstance(payload.get("error_message"), str):
        attributes[sc.HP_CONVERSIMPLE_ERROR_MESSAGE] = scrub_secrets(payload["error_message"], secrets_of(agent))[:1024]
    _emit(conversations_of(agent), sc.CONVERSIMPLE_EVENT_PLATFORM_ERROR, attributes)


def make_reply_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``WebSocketConnection._handle_websocket_reply(payload)``: a refused push is worth an event."""

    async def handle(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        payload = argument_of(args, kwargs, 0, "payload")
        if isinstance(payload, dict) and payload.get("status") == "error" and engine_ref():
            guarded("conversimple.reply_error", _reply_error, instance, payload)
        return await wrapped(*args, **kwargs)

    return handle


def _reply_error(connection: Any, payload: dict[str, Any]) -> None:
    response = payload.get("response")
    reason = response.get("reason") if isinstance(response, dict) else None
    attributes: dict[str, AttributeValue] = {}
    if isinstance(reason, str):
        attributes[sc.HP_CONVERSIMPLE_ERROR_CODE] = reason
    _emit(conversations_of_connection(connection), sc.CONVERSIMPLE_EVENT_REPLY_ERROR, attributes)
