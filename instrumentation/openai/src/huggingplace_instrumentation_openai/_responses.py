"""Responses API: ``responses.create`` (plain and streamed) and ``responses.parse``.

Finish reasons and usage are read by the engine's shared Responses reader (``responses_finish_reason``,
``record_responses_usage``).
"""

from __future__ import annotations

import inspect
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    RESPONSES_TOOL_CALL_ITEMS,
    Call,
    Recorder,
    Request,
    field_of,
    items_of,
    record_responses_usage,
    responses_finish_reason,
)

from . import _content
from ._chat import record_response_metadata
from ._fields import arg, as_int, as_str, put
from ._request import new_request, put_sampling

_TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})
_TEXT_DELTAS = frozenset({"response.output_text.delta", "response.refusal.delta"})
_REASONING_DELTAS = frozenset({"response.reasoning_summary_text.delta", "response.reasoning_text.delta"})


def _output_type(kwargs: dict[str, Any]) -> str | None:
    if inspect.isclass(arg(kwargs, "text_format")):
        return "json"
    kind = field_of(field_of(arg(kwargs, "text"), "format"), "type")
    if kind in ("json_schema", "json_object"):
        return "json"
    return "text" if kind == "text" else None


def _record_summary(response: Any, recorder: Recorder) -> None:
    """What a whole response says besides its content: id, model, status, usage."""
    record_response_metadata(response, recorder)
    recorder.set_finish_reason(0, responses_finish_reason(response))
    record_responses_usage(field_of(response, "usage"), recorder)


class ResponsesCodec:
    """All output items of a response belong to one choice (index 0); tool calls keep their item order."""

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = new_request(call, sc.OP_CHAT)
        put_sampling(request, kwargs, "max_output_tokens")
        put(request.attributes, sc.GEN_AI_OUTPUT_TYPE, _output_type(kwargs))
        given_input, instructions, tools = (
            arg(kwargs, "input"),
            arg(kwargs, "instructions"),
            arg(kwargs, "tools"),
        )
        request.input_messages = lambda: _content.response_input_messages(given_input)
        if instructions:
            request.system_instructions = lambda: _content.instructions(instructions)
        if tools:
            request.tool_definitions = lambda: _content.tool_definitions(tools)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        _record_summary(result, recorder)
        calls = 0
        for item in items_of(field_of(result, "output")):
            kind = field_of(item, "type")
            if kind == "message":
                recorder.set_role(0, as_str(field_of(item, "role")) or "assistant")
                for part in items_of(field_of(item, "content")):
                    key = "text" if field_of(part, "type") == "output_text" else "refusal"
                    text = field_of(part, key)
                    if isinstance(text, str) and text:
                        recorder.add_text(0, text)
            elif kind in RESPONSES_TOOL_CALL_ITEMS:
                recorder.add_tool_call(
                    0,
                    calls,
                    id=as_str(field_of(item, "call_id")),
                    name=as_str(field_of(item, "name")),
                    arguments=field_of(item, "arguments") or field_of(item, "input") or None,
                )
                calls += 1
            elif kind == "reasoning":
                for summary in items_of(field_of(item, "summary")):
                    text = field_of(summary, "text")
                    if isinstance(text, str) and text:
                        recorder.add_text(0, text, kind="reasoning")

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        kind = field_of(chunk, "type")
        if kind in _TEXT_DELTAS:
            recorder.add_text(0, str(field_of(chunk, "delta") or ""))
        elif kind in _REASONING_DELTAS:
            recorder.add_text(0, str(field_of(chunk, "delta") or ""), kind="reasoning")
        elif kind == "response.output_item.added":
            item = field_of(chunk, "item")
            if field_of(item, "type") in RESPONSES_TOOL_CALL_ITEMS:
                recorder.add_tool_call(
                    0,
                    as_int(field_of(chunk, "output_index")) or 0,
                    id=as_str(field_of(item, "call_id")),
                    name=as_str(field_of(item, "name")),
                )
        elif kind in ("response.function_call_arguments.delta", "response.custom_tool_call_input.delta"):
            recorder.add_tool_call(
                0,
                as_int(field_of(chunk, "output_index")) or 0,
                arguments=str(field_of(chunk, "delta") or "") or None,
            )
        elif kind in ("response.created", "response.in_progress"):
            record_response_metadata(field_of(chunk, "response"), recorder)
        elif kind in _TERMINAL_EVENTS:
            _record_summary(field_of(chunk, "response"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False  # Responses streams always report usage: nothing is ever injected
