"""Codecs for ``TBuddyClient`` calls: a query (``invoke_agent``) and the session operations around it."""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    Message,
    Recorder,
    Request,
    argument_of,
    platform_session_attributes,
    server_of,
)

PROVIDER = "tbuddy"
AGENT_NAME = "tbuddy"  # the platform's orchestrator agent, invoked by submit_query


def session_attributes(session_id: object) -> dict[str, AttributeValue]:
    """The platform's session id (``session.id`` too unless the user's ``session()`` is open)."""
    return platform_session_attributes(sc.HP_TBUDDY_SESSION_ID, session_id)


def argument(call: Call, index: int, name: str, default: Any = None) -> Any:
    return argument_of(call.args, call.kwargs, index, name, default)


def secrets_of(holder: Any) -> tuple[str, ...]:
    """The API key of a ``TBuddyClient`` or ``WebSocketClient`` (both hold the SDK's ``AuthManager``)."""
    key = getattr(getattr(holder, "auth", None), "_api_key", None)
    return (key,) if isinstance(key, str) and key else ()


def _server(instance: Any) -> tuple[str | None, int | None]:
    return server_of(getattr(getattr(instance, "config", None), "base_url", None))


def _field(result: Any, name: str) -> Any:
    """A field of a pydantic model or of a plain dict (the SDK returns both)."""
    if isinstance(result, dict):
        return result.get(name)
    return getattr(result, name, None)


class _PlatformCodec:
    """Platform calls answer in one piece: no stream chunks, never an injected one."""

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        return None

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


class SubmitQueryCodec(_PlatformCodec):
    """``submit_query(query, session_id, user_id, force_new_session, stream_callback, wait_for_completion)``."""

    def read_request(self, call: Call) -> Request:
        query = argument(call, 0, "query")
        session_id = argument(call, 1, "session_id")
        address, port = _server(call.instance)
        attributes: dict[str, AttributeValue] = {
            sc.GEN_AI_AGENT_NAME: AGENT_NAME,
            sc.HP_TBUDDY_FOLLOW_UP: session_id is not None,
            sc.HP_TBUDDY_FORCE_NEW_SESSION: bool(argument(call, 3, "force_new_session", False)),
            sc.HP_TBUDDY_WAIT_FOR_COMPLETION: bool(argument(call, 5, "wait_for_completion", True)),
        }
        user_id = argument(call, 2, "user_id")
        if isinstance(user_id, str):
            attributes[sc.USER_ID] = user_id
        attributes.update(session_attributes(session_id))

        def input_messages() -> list[Message]:
            return [{"role": "user", "parts": [{"type": "text", "content": str(query)}]}]

        return Request(
            operation=sc.OP_INVOKE_AGENT, provider=PROVIDER, inference=False,
            span_name=f"{sc.OP_INVOKE_AGENT} {AGENT_NAME}", kind=SpanKind.CLIENT, attributes=attributes,
            server_address=address, server_port=port, secrets=secrets_of(call.instance),
            input_messages=input_messages if isinstance(query, str) else None,
        )

    def read_response(self, result: Any, recorder: Recorder) -> None:
        record_plan_result(result, recorder)
        messages = _field(result, "messages")
        if recorder.capture_content and isinstance(messages, list) and messages:
            recorder.set_role(0, "assistant")
            recorder.add_text(0, "\n".join(str(m) for m in messages))


def record_plan_result(result: Any, recorder: Recorder) -> None:
    """What a ``TravelPlanResult`` tells about the session (never its content)."""
    for key, value in session_attributes(_field(result, "session_id")).items():
        recorder.set_attribute(key, value)
    status = _field(result, "status")
    if isinstance(status, str):
        recorder.set_attribute(sc.HP_TBUDDY_STATUS, status)
    errors = _field(result, "errors")
    if isinstance(errors, list):
        recorder.set_attribute(sc.HP_TBUDDY_ERROR_COUNT, len(errors))


class SessionCodec(_PlatformCodec):
    """The session operations: ``method(session_id, ...)``; ``reader`` picks what the answer tells."""

    def __init__(self, method: str) -> None:
        self.method = method

    def read_request(self, call: Call) -> Request:
        address, port = _server(call.instance)
        attributes: dict[str, AttributeValue] = {}
        attributes.update(session_attributes(argument(call, 0, "session_id")))
        if self.method == "extend_session":
            hours = argument(call, 1, "hours", 24)
            if isinstance(hours, int):
                attributes[sc.HP_TBUDDY_EXTEND_HOURS] = hours
        return Request(
            operation=self.method, provider=PROVIDER, inference=False, span_name=f"{PROVIDER}.{self.method}",
            kind=SpanKind.CLIENT, attributes=attributes, server_address=address, server_port=port,
            secrets=secrets_of(call.instance),
        )

    def read_response(self, result: Any, recorder: Recorder) -> None:
        if self.method == "get_result":
            record_plan_result(result, recorder)
            return
        status = _field(result, "status")
        if isinstance(status, str):
            recorder.set_attribute(sc.HP_TBUDDY_STATUS, status)
        progress = _field(result, "progress_percent")
        if isinstance(progress, int):
            recorder.set_attribute(sc.HP_TBUDDY_PROGRESS, progress)
        turns = _field(result, "conversation_turns")
        if not isinstance(turns, int):
            turns = _field(result, "total_turns")
        if isinstance(turns, int):
            recorder.set_attribute(sc.HP_TBUDDY_CONVERSATION_TURNS, turns)
