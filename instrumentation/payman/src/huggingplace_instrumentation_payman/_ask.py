"""``PaymanClient.ask`` as an ``invoke_agent payman`` span: session, task and request ids, status, error.

The task and request ids are generated inside ``ask`` (``create_task_request``), so a hook on that
function records them on the current ask span; they are then known even when the request fails.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Engine,
    EngineRef,
    Operation,
    argument_of,
    guarded,
    report_internal_error,
    scrub_secrets,
)

from ._calls import PROVIDER, client_server, record_http_status, secrets_of, session_attributes

AGENT_NAME = "payman"
ASK_SPAN = f"{sc.OP_INVOKE_AGENT} {AGENT_NAME}"
TASK_FAILED = "task_failed"  # error.type when the agent answered with a failed task
_AGENT_ERROR_PREFIX = "Failed to get response from agent: "

_current_ask: ContextVar[Operation | None] = ContextVar("huggingplace_payman_ask", default=None)


def make_ask_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    def ask(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        engine = engine_ref()
        if engine is None or _current_ask.get() is not None:
            return wrapped(*args, **kwargs)
        operation = _start(engine, instance, args, kwargs)
        if operation is None:  # our failure to start (reported) leaves the call untraced, never broken
            return wrapped(*args, **kwargs)
        token = otel_context.attach(trace.set_span_in_context(operation.span))
        current = _current_ask.set(operation)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            guarded("payman.ask.fail", _fail, operation, instance, exc)
            raise
        finally:
            _current_ask.reset(current)
            otel_context.detach(token)
        guarded("payman.ask.result", _succeed, operation, engine, result)
        return result

    return ask


def _start(engine: Engine, client: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Operation | None:
    try:
        text = argument_of(args, kwargs, 0, "text")
        options = argument_of(args, kwargs, 1, "options")
        options = options if isinstance(options, dict) else {}
        config = getattr(client, "config", None)
        environment = config.get("environment") if isinstance(config, dict) else None
        attributes: dict[str, AttributeValue] = {
            sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT,
            sc.GEN_AI_PROVIDER_NAME: PROVIDER,
            sc.GEN_AI_AGENT_NAME: AGENT_NAME,
            sc.HP_PAYMAN_OUTPUT_FORMAT: str(options.get("output_format") or "markdown"),
            sc.HP_PAYMAN_NEW_SESSION: bool(options.get("new_session")),
            sc.HP_PAYMAN_STREAMING: options.get("on_message") is not None,
            sc.HP_PAYMAN_ENVIRONMENT: str(environment or "LIVE"),
            **client_server(client),
        }
        if not options.get("new_session"):
            attributes.update(session_attributes(getattr(client, "session_id", None)))
        if engine.content.capture and isinstance(text, str):
            engine.put_content(attributes, "input_messages", sc.GEN_AI_INPUT_MESSAGES,
                               [{"role": "user", "parts": [{"type": "text", "content": text}]}])
        return engine.start_operation(ASK_SPAN, kind=SpanKind.CLIENT, attributes=dict(attributes))
    except Exception as exc:
        report_internal_error("payman.ask.start", exc)
        return None


def _set_session(operation: Operation, session_id: Any) -> None:
    operation.set_attributes(dict(session_attributes(session_id)))


def _text(value: Any) -> str | None:
    value = getattr(value, "value", value)  # TaskState is a str Enum
    return value if isinstance(value, str) else None


def _succeed(operation: Operation, engine: Engine, result: Any) -> None:
    try:
        if not isinstance(result, dict):
            return
        if "jsonrpc" in result:  # output_format="json": the raw JSON-RPC response
            task = result.get("result") or {}
            request_id, task_id = result.get("id"), task.get("id")
            session_id, status = task.get("session_id"), _text((task.get("status") or {}).get("state"))
            texts = ["\n".join(str(p.get("text", "")) for p in a.get("parts") or [])
                     for a in task.get("artifacts") or []]
        else:  # the SDK's formatted response
            request_id, task_id = result.get("request_id"), result.get("task_id")
            session_id, status = result.get("session_id"), _text(result.get("status"))
            texts = [str(a.get("content", "")) for a in result.get("artifacts") or []]
        if isinstance(request_id, str):
            operation.set_attribute(sc.HP_PAYMAN_REQUEST_ID, request_id)
        if isinstance(task_id, str):
            operation.set_attribute(sc.HP_PAYMAN_TASK_ID, task_id)
        _set_session(operation, session_id)
        operation.set_attribute(sc.HP_PAYMAN_ARTIFACT_COUNT, len(texts))
        if status is not None:
            operation.set_attribute(sc.HP_PAYMAN_TASK_STATUS, status)
            if status == "failed":
                operation.record_error(TASK_FAILED)
        if engine.content.capture and texts:
            attributes: dict[str, AttributeValue] = {}
            engine.put_content(attributes, "output_messages", sc.GEN_AI_OUTPUT_MESSAGES, [
                {"role": "assistant", "parts": [{"type": "text", "content": t} for t in texts]}])
            operation.set_attributes(dict(attributes))
    finally:
        operation.end()


def _fail(operation: Operation, client: Any, error: BaseException) -> None:
    try:
        secrets = secrets_of(client)
        agent_error = _agent_error(error)
        if agent_error is not None:
            code, message = agent_error.get("code"), agent_error.get("message")
            if isinstance(code, int):
                operation.set_attribute(sc.HP_PAYMAN_ERROR_CODE, code)
            if isinstance(message, str):
                operation.set_attribute(sc.HP_PAYMAN_ERROR_MESSAGE, scrub_secrets(message, secrets)[:1024])
        operation.record_error(error, secrets=secrets)
        record_http_status(operation, error)
    finally:
        operation.end()


def _agent_error(error: BaseException) -> dict[str, Any] | None:
    """The JSON-RPC error object the SDK put (as a dict repr) into its plain ``Exception`` message."""
    text = str(error)
    if type(error) is not Exception or not text.startswith(_AGENT_ERROR_PREFIX):
        return None
    try:
        value = ast.literal_eval(text[len(_AGENT_ERROR_PREFIX):])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def make_task_request_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``payman_sdk.client.create_task_request``: the generated ids go onto the current ask span."""

    def create_task_request(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                            kwargs: dict[str, Any]) -> Any:
        request = wrapped(*args, **kwargs)
        operation = _current_ask.get()
        if operation is not None:
            guarded("payman.ask.request", _record_request, operation, request)
        return request

    return create_task_request


def _record_request(operation: Operation, request: Any) -> None:
    if not isinstance(request, dict):
        return
    if isinstance(request.get("id"), str):
        operation.set_attribute(sc.HP_PAYMAN_REQUEST_ID, request["id"])
    params = request.get("params")
    if isinstance(params, dict):
        if isinstance(params.get("id"), str):
            operation.set_attribute(sc.HP_PAYMAN_TASK_ID, params["id"])
        _set_session(operation, params.get("sessionId"))
