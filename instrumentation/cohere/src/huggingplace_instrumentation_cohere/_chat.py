"""Chat: v1 ``chat`` / ``chat_stream`` (message, chat_history, preamble; NDJSON events) and v2 ``chat`` /
``chat_stream`` (OpenAI-like messages; typed SSE events)."""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    Message,
    Recorder,
    Request,
    chat_messages,
    chat_tool_definitions,
    field_of,
    given_value,
)

from ._request import new_request, record_usage

_V1_ROLES = {"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system", "TOOL": "tool"}


def _text_message(role: str, text: Any) -> Message:
    return {"role": role, "parts": [{"type": "text", "content": text}] if isinstance(text, str) and text else []}


def _v1_input_messages(history: Any, message: Any) -> list[Message]:
    messages = [_text_message(_V1_ROLES.get(str(field_of(m, "role")), str(field_of(m, "role")).lower()),
                              field_of(m, "message")) for m in history or ()]
    if isinstance(message, str) and message:
        messages.append(_text_message("user", message))
    return messages


def _v1_tool_definitions(tools: Any) -> list[dict[str, Any]]:
    return [{"type": "function", "name": field_of(t, "name"), "description": field_of(t, "description")}
            for t in tools or ()]


def _record_v1_tool_calls(calls: Any, recorder: Recorder) -> None:
    for position, call in enumerate(calls or ()):
        parameters = field_of(call, "parameters")
        name = field_of(call, "name")
        recorder.add_tool_call(0, position, name=name if isinstance(name, str) else None,
                               arguments=None if parameters is None else json.dumps(parameters, default=str))


def _read_v1_response(result: Any, recorder: Recorder) -> None:
    """A ``NonStreamedChatResponse`` (also the ``response`` of a stream's ``stream-end`` event)."""
    response_id = field_of(result, "response_id") or field_of(result, "generation_id")
    recorder.set_response(id=response_id if isinstance(response_id, str) else None)
    reason = field_of(result, "finish_reason")
    if isinstance(reason, str) and reason:
        recorder.set_finish_reason(0, reason)
    if recorder.capture_content:
        recorder.set_role(0, "assistant")
        text = field_of(result, "text")
        if isinstance(text, str) and text:
            recorder.add_text(0, text)
    _record_v1_tool_calls(field_of(result, "tool_calls"), recorder)
    record_usage(field_of(result, "meta"), recorder)


class ChatV1Codec:
    def __init__(self, stream: bool) -> None:
        self._stream = stream

    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_CHAT, self._stream)
        if call.options.get("capture_content"):
            kwargs = call.kwargs
            history, message = given_value(kwargs.get("chat_history")), given_value(kwargs.get("message"))
            preamble, tools = given_value(kwargs.get("preamble")), given_value(kwargs.get("tools"))
            request.input_messages = lambda: _v1_input_messages(history, message)
            if isinstance(preamble, str) and preamble:
                request.system_instructions = lambda: [{"type": "text", "content": preamble}]
            if tools:
                request.tool_definitions = lambda: _v1_tool_definitions(tools)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        _read_v1_response(result, recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        kind = field_of(chunk, "event_type")
        if kind == "text-generation":
            if recorder.capture_content:
                text = field_of(chunk, "text")
                if isinstance(text, str) and text:
                    recorder.add_text(0, text)
        elif kind == "stream-end":
            response = field_of(chunk, "response")
            if response is not None:  # the whole response again: read all but its text, already streamed
                capture = recorder.capture_content
                response_id = field_of(response, "response_id") or field_of(response, "generation_id")
                recorder.set_response(id=response_id if isinstance(response_id, str) else None)
                _record_v1_tool_calls(field_of(response, "tool_calls"), recorder)
                record_usage(field_of(response, "meta"), recorder)
                if capture:
                    recorder.set_role(0, "assistant")
            reason = field_of(chunk, "finish_reason")
            if isinstance(reason, str) and reason:
                recorder.set_finish_reason(0, reason)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


def _record_v2_message(message: Any, recorder: Recorder) -> None:
    if message is None:
        return
    if recorder.capture_content:
        role = field_of(message, "role")
        recorder.set_role(0, role if isinstance(role, str) and role else "assistant")
        plan = field_of(message, "tool_plan")
        if isinstance(plan, str) and plan:
            recorder.add_text(0, plan, kind="reasoning")
        for item in field_of(message, "content") or ():
            text = field_of(item, "text")
            if isinstance(text, str) and text:
                recorder.add_text(0, text)
    for position, call in enumerate(field_of(message, "tool_calls") or ()):
        _record_v2_tool_call(position, call, recorder)


def _record_v2_tool_call(position: int, call: Any, recorder: Recorder) -> None:
    function = field_of(call, "function")
    call_id, name, arguments = field_of(call, "id"), field_of(function, "name"), field_of(function, "arguments")
    recorder.add_tool_call(0, position, id=call_id if isinstance(call_id, str) and call_id else None,
                           name=name if isinstance(name, str) and name else None,
                           arguments=arguments if isinstance(arguments, str) and arguments else None)


def _plain(value: Any) -> Any:
    """An SDK model as a plain dict (tools may be given either way)."""
    dump = getattr(value, "model_dump", None) or getattr(value, "dict", None)
    return dump() if callable(dump) else value


class ChatV2Codec:
    def __init__(self, stream: bool) -> None:
        self._stream = stream

    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_CHAT, self._stream)
        if call.options.get("capture_content"):
            messages, tools = given_value(call.kwargs.get("messages")), given_value(call.kwargs.get("tools"))
            request.input_messages = lambda: chat_messages(messages)  # the OpenAI-like message shape
            if tools:
                request.tool_definitions = lambda: chat_tool_definitions([_plain(t) for t in tools])
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        response_id = field_of(result, "id")
        recorder.set_response(id=response_id if isinstance(response_id, str) else None)
        reason = field_of(result, "finish_reason")
        if isinstance(reason, str) and reason:
            recorder.set_finish_reason(0, reason)
        _record_v2_message(field_of(result, "message"), recorder)
        record_usage(field_of(result, "usage"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        kind = field_of(chunk, "type")
        delta = field_of(chunk, "delta")
        message = field_of(delta, "message")
        if kind == "content-delta":
            if recorder.capture_content:
                text = field_of(field_of(message, "content"), "text")
                if isinstance(text, str) and text:
                    recorder.add_text(0, text)
        elif kind in ("tool-call-start", "tool-call-delta"):
            index = field_of(chunk, "index")
            _record_v2_tool_call(index if isinstance(index, int) else 0, field_of(message, "tool_calls"), recorder)
        elif kind == "tool-plan-delta":
            plan = field_of(message, "tool_plan")
            if recorder.capture_content and isinstance(plan, str) and plan:
                recorder.add_text(0, plan, kind="reasoning")
        elif kind == "message-start":
            response_id = field_of(chunk, "id")
            recorder.set_response(id=response_id if isinstance(response_id, str) else None)
            role = field_of(message, "role")
            if recorder.capture_content and isinstance(role, str) and role:
                recorder.set_role(0, role)
        elif kind == "message-end":
            reason = field_of(delta, "finish_reason")
            if isinstance(reason, str) and reason:
                recorder.set_finish_reason(0, reason)
            record_usage(field_of(delta, "usage"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
