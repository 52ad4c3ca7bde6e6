"""Tool calls: an ``execute_tool {name}`` span per ``tool_call_request``, parented to its conversation.

``_handle_tool_call_request`` catches the tool's exception and answers ``tool_call_error`` itself, so two
inner hooks report to the span of the call in progress (a context variable, set in the call's own task):
``ToolRegistry.execute_tool`` sees the tool's result or its exception class, and ``_send_tool_error``
sees the failures that never reach a tool (a timeout, a request without call id or tool name).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Engine, EngineRef, Operation, argument_of, guarded, report_internal_error

from ._calls import PROVIDER, conversation_attributes, secrets_of
from ._conversations import conversations_of

TOOL_TYPE = "function"
TIMEOUT_MESSAGE = "Tool execution timed out"  # what the SDK answers when asyncio.wait_for expires
INVALID_REQUEST = "invalid_request"
TOOL_ERROR = "tool_error"


@dataclass
class ToolCall:
    engine: Engine
    operation: Operation
    secrets: tuple[str, ...]
    failed: bool = False


_current_call: ContextVar[ToolCall | None] = ContextVar("huggingplace_conversimple_tool_call", default=None)


def _start(engine: Engine, agent: Any, payload: Any) -> ToolCall:
    payload = payload if isinstance(payload, dict) else {}
    call_id, tool_name = payload.get("call_id"), payload.get("tool_name")
    conversation_id = payload.get("conversation_id")
    state = conversations_of(agent)
    conversation = state.for_call(conversation_id, getattr(agent, "conversation_id", None)) if state else None
    if conversation is not None:
        conversation.tool_calls += 1
        conversation_id = conversation.conversation_id
    name = tool_name if isinstance(tool_name, str) and tool_name else None
    attributes: dict[str, AttributeValue] = {
        sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL,
        sc.GEN_AI_PROVIDER_NAME: PROVIDER,
        sc.GEN_AI_TOOL_TYPE: TOOL_TYPE,
    }
    if name is not None:
        attributes[sc.GEN_AI_TOOL_NAME] = name
    if isinstance(call_id, str) and call_id:
        attributes[sc.GEN_AI_TOOL_CALL_ID] = call_id
        replayed = call_id in (getattr(agent, "_completed_tool_results", None) or {})
        attributes[sc.HP_CONVERSIMPLE_TOOL_REPLAYED] = replayed
    attributes.update(conversation_attributes(conversation_id))
    timeout = payload.get("timeout_seconds")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        attributes[sc.HP_CONVERSIMPLE_TOOL_TIMEOUT] = float(timeout)
    arguments = payload.get("arguments")
    if engine.content.capture and arguments is not None:
        engine.put_content(attributes, "tool_call_arguments", sc.GEN_AI_TOOL_CALL_ARGUMENTS, arguments)
    span_name = f"{sc.OP_EXECUTE_TOOL} {name}" if name else sc.OP_EXECUTE_TOOL
    operation = engine.start_operation(span_name, attributes=dict(attributes),
                                       parent=conversation.operation.span if conversation else None)
    return ToolCall(engine, operation, secrets_of(agent))


def make_tool_call_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``ConversimpleAgent._handle_tool_call_request(payload)`` (it runs in its own task)."""

    async def handle(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        engine = engine_ref()
        if engine is None:
            return await wrapped(*args, **kwargs)
        try:
            call = _start(engine, instance, argument_of(args, kwargs, 0, "payload"))
        except Exception as exc:  # our failure leaves the tool call untraced, never broken
            report_internal_error("conversimple.tool.start", exc)
            return await wrapped(*args, **kwargs)
        token = otel_context.attach(trace.set_span_in_context(call.operation.span))
        current = _current_call.set(call)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            guarded("conversimple.tool.end", _fail, call, exc)
            raise
        finally:
            _current_call.reset(current)
            otel_context.detach(token)
        call.operation.end()
        return result

    return handle


def _fail(call: ToolCall, error: BaseException) -> None:
    try:
        if not call.failed:
            call.operation.record_error(error, secrets=call.secrets)
    finally:
        call.operation.end()


def make_execute_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``ToolRegistry.execute_tool(tool_name, arguments)``: the tool's own outcome."""

    async def execute(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        call = _current_call.get()
        try:
            result = await wrapped(*args, **kwargs)
        except asyncio.CancelledError:
            raise  # a timeout (wait_for) or a stop: reported where the SDK answers, see _send_tool_error
        except Exception as exc:
            if call is not None:
                guarded("conversimple.tool.error", _tool_raised, call, exc)
            raise
        if call is not None:
            guarded("conversimple.tool.result", _tool_returned, call, result)
        return result

    return execute


def _tool_raised(call: ToolCall, error: Exception) -> None:
    call.failed = True
    call.operation.record_error(error, secrets=call.secrets)


def _tool_returned(call: ToolCall, result: Any) -> None:
    if call.engine.content.capture:
        attributes: dict[str, AttributeValue] = {}
        call.engine.put_content(attributes, "tool_call_result", sc.GEN_AI_TOOL_CALL_RESULT, result)
        call.operation.set_attributes(dict(attributes))


def make_send_error_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``_send_tool_error(call_id, error, tool_name=None)``: failures that never reached the tool."""

    async def send_error(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                         kwargs: dict[str, Any]) -> Any:
        call = _current_call.get()
        if call is not None and not call.failed:
            message = argument_of(args, kwargs, 1, "error")
            guarded("conversimple.tool.error", _answered_error, call, message)
        return await wrapped(*args, **kwargs)

    return send_error


def _answered_error(call: ToolCall, message: Any) -> None:
    call.failed = True
    if message == TIMEOUT_MESSAGE:
        call.operation.record_error(sc.ERROR_TIMEOUT)
    elif isinstance(message, str) and message.startswith("Missing call_id"):
        call.operation.record_error(INVALID_REQUEST)
    else:
        call.operation.record_error(TOOL_ERROR)

