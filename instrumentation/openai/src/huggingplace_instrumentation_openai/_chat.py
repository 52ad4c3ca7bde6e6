"""Chat completions: ``chat.completions.create`` (plain and streamed) and ``chat.completions.parse``."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, is_mapping, items_of

from . import _content
from ._fields import arg, as_int, as_str, put
from ._request import is_usage_only_chunk, maybe_request_stream_usage, new_request, put_sampling
from ._usage import record_chat_usage

_MISSING: Any = object()


def output_type(response_format: Any) -> str | None:
    """``gen_ai.output.type`` from a ``response_format`` (a dict, or a pydantic class for ``parse``)."""
    if inspect.isclass(response_format):
        return "json"
    kind = field_of(response_format, "type")
    if kind in ("json_object", "json_schema"):
        return "json"
    return "text" if kind == "text" else None


def record_response_metadata(result: Any, recorder: Recorder) -> None:
    if not is_mapping(result):
        _record_model_metadata(result, recorder)
        return
    recorder.set_response(id=field_of(result, "id"), model=field_of(result, "model"))  # the recorder checks types
    _record_openai_metadata(field_of(result, "service_tier"), field_of(result, "system_fingerprint"), recorder)


def _record_model_metadata(result: Any, recorder: Recorder) -> None:
    """The SDK's response model: plain attribute reads (the recorder checks and counts wrong types)."""
    recorder.set_response(id=getattr(result, "id", None), model=getattr(result, "model", None))
    _record_openai_metadata(getattr(result, "service_tier", None), getattr(result, "system_fingerprint", None),
                            recorder)


def _record_openai_metadata(tier: Any, fingerprint: Any, recorder: Recorder) -> None:
    if type(tier) is str and tier:
        recorder.set_attribute(sc.OPENAI_RESPONSE_SERVICE_TIER, tier)
    if type(fingerprint) is str and fingerprint:
        recorder.set_attribute(sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT, fingerprint)


def _record_tool_calls(index: int, message: Any, recorder: Recorder) -> None:
    for position, call in enumerate(items_of(field_of(message, "tool_calls"))):
        function = field_of(call, "function")
        call_index = as_int(field_of(call, "index"))  # present on stream deltas only
        recorder.add_tool_call(
            index,
            position if call_index is None else call_index,
            id=as_str(field_of(call, "id")),
            name=as_str(field_of(function, "name")),
            arguments=field_of(function, "arguments") or None,
        )
    function_call = field_of(message, "function_call")  # the deprecated single-function form
    if function_call is not None:
        recorder.add_tool_call(
            index,
            0,
            name=as_str(field_of(function_call, "name")),
            arguments=field_of(function_call, "arguments") or None,
        )


def _record_message(index: int, message: Any, recorder: Recorder) -> None:
    role = as_str(field_of(message, "role"))
    if role is not None:
        recorder.set_role(index, role)
    for name in ("content", "refusal"):
        text = field_of(message, name)
        if isinstance(text, str) and text:
            recorder.add_text(index, text)
    _record_tool_calls(index, message, recorder)


class ChatCodec:
    """``chat.completions.create`` / ``parse``: one span per call, streams read chunk by chunk."""

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = new_request(call, sc.OP_CHAT)
        put_sampling(request, kwargs, "max_completion_tokens", "max_tokens")
        if "response_format" in kwargs or "extra_body" in kwargs:
            put(request.attributes, sc.GEN_AI_OUTPUT_TYPE, output_type(arg(kwargs, "response_format")))
        if request.stream:
            maybe_request_stream_usage(call, request)
        if call.options.get("capture_content"):  # content is read only when it is captured
            messages, tools = arg(kwargs, "messages"), arg(kwargs, "tools") or arg(kwargs, "functions")
            request.input_messages = lambda: _content.chat_messages(messages)
            if tools:
                request.tool_definitions = lambda: _content.tool_definitions(tools)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        if is_mapping(result):
            self._read_fields(result, "message", recorder)
            return
        # The SDK's response model: plain attribute reads (a response holds no "not given" sentinels).
        _record_model_metadata(result, recorder)
        capture = recorder.capture_content
        for position, choice in enumerate(items_of(getattr(result, "choices", None))):
            index = getattr(choice, "index", None)
            index = position if type(index) is not int else index
            reason = getattr(choice, "finish_reason", None)
            if type(reason) is str and reason:
                recorder.set_finish_reason(index, reason)
            message = getattr(choice, "message", None)
            if message is None:
                continue
            if capture:
                _record_message(index, message, recorder)
            elif getattr(message, "tool_calls", None) or getattr(message, "function_call", None):
                _record_tool_calls(index, message, recorder)
        record_chat_usage(getattr(result, "usage", None), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        # The hot path (one call per streamed chunk): plain attribute reads on the SDK's chunk model,
        # metadata only until known, message content only when it is captured.
        choices = getattr(chunk, "choices", _MISSING)
        if choices is _MISSING:  # not the SDK's model: a plain mapping (raw JSON) or nothing we know
            if is_mapping(chunk):
                self._read_fields(chunk, "delta", recorder)
            return
        if recorder.response_model is None:
            _record_model_metadata(chunk, recorder)
        capture = recorder.capture_content
        for position, choice in enumerate(items_of(choices)):
            index = getattr(choice, "index", None)
            index = position if index is None else index
            delta = getattr(choice, "delta", None)
            if delta is not None:
                if capture:
                    _record_message(index, delta, recorder)
                elif getattr(delta, "tool_calls", None) or getattr(delta, "function_call", None):
                    _record_tool_calls(index, delta, recorder)
            reason = getattr(choice, "finish_reason", None)
            if reason:
                recorder.set_finish_reason(index, reason)
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            record_chat_usage(usage, recorder)

    def _read_fields(self, result: Mapping[str, Any], message_key: str, recorder: Recorder) -> None:
        """A response or chunk given as a plain mapping (raw JSON)."""
        record_response_metadata(result, recorder)
        for position, choice in enumerate(items_of(field_of(result, "choices"))):
            index = as_int(field_of(choice, "index"))
            index = position if index is None else index
            message = field_of(choice, message_key)
            if message is not None:
                _record_message(index, message, recorder)
            recorder.set_finish_reason(index, as_str(field_of(choice, "finish_reason")))
        record_chat_usage(field_of(result, "usage"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return is_usage_only_chunk(chunk)
