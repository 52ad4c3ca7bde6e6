"""Codec for Mistral chat completions: ``chat.complete`` / ``chat.stream`` and their async forms.

Finish reasons are Mistral's own values (``stop``, ``length``, ``model_length``, ``error``, ``tool_calls``).
``prompt_tokens`` already includes the cached prompt tokens (``prompt_tokens_details.cached_tokens``), as
the conventions' ``gen_ai.usage.input_tokens`` wants, so it is recorded as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    Recorder,
    Request,
    field_of,
    integer_of,
    items_of,
    number_attributes,
    server_of,
    strings_of,
    text_of,
)

from . import _content

PROVIDER = "mistral_ai"

_NUMERIC_PARAMETERS = (
    ("max_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
    ("top_k", sc.GEN_AI_REQUEST_TOP_K),
    ("random_seed", sc.GEN_AI_REQUEST_SEED),
    ("presence_penalty", sc.GEN_AI_REQUEST_PRESENCE_PENALTY),
    ("frequency_penalty", sc.GEN_AI_REQUEST_FREQUENCY_PENALTY),
)


class ChatCodec:
    """``streams``: the wrapped method always streams (``stream`` / ``stream_async``)."""

    def __init__(self, *, streams: bool = False) -> None:
        self._streams = streams

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = Request(
            operation=sc.OP_CHAT,
            provider=PROVIDER,
            model=text_of(kwargs.get("model")),
            stream=self._streams,
            attributes=_request_attributes(kwargs),
        )
        request.server_address, request.server_port = server_address(call)
        request.input_messages = lambda: _content.input_messages(kwargs.get("messages"))
        if kwargs.get("tools"):
            request.tool_definitions = lambda: _content.tool_definitions(kwargs.get("tools"))
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(id=field_of(result, "id"), model=field_of(result, "model"))
        for choice in items_of(field_of(result, "choices")):
            index = field_of(choice, "index") or 0
            message = field_of(choice, "message")
            if message is not None:
                _read_message(index, message, recorder, streamed=False)
            recorder.set_finish_reason(index, field_of(choice, "finish_reason"))
        _read_usage(field_of(result, "usage"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        # The stream yields CompletionEvent objects whose ``data`` is the CompletionChunk.
        data = field_of(chunk, "data")
        if data is None:
            return
        recorder.set_response(id=field_of(data, "id"), model=field_of(data, "model"))
        for choice in items_of(field_of(data, "choices")):
            index = field_of(choice, "index") or 0
            delta = field_of(choice, "delta")
            if delta is not None:
                _read_message(index, delta, recorder, streamed=True)
            reason = field_of(choice, "finish_reason")
            if reason is not None:
                recorder.set_finish_reason(index, reason)
        _read_usage(field_of(data, "usage"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False  # Mistral streams report usage unasked


def server_address(call: Call) -> tuple[str | None, int | None]:
    override = call.kwargs.get("server_url")
    if isinstance(override, str) and override:
        return server_of(override)
    configuration = getattr(call.instance, "sdk_configuration", None)
    get_details = getattr(configuration, "get_server_details", None)
    if get_details is None:
        return None, None
    url, _variables = get_details()
    return server_of(url)


def _request_attributes(kwargs: dict[str, Any]) -> dict[str, Any]:
    attributes = number_attributes(kwargs, _NUMERIC_PARAMETERS)
    choices = integer_of(kwargs.get("n"))
    if choices is not None and choices != 1:
        attributes[sc.GEN_AI_REQUEST_CHOICE_COUNT] = choices
    stop = strings_of(kwargs.get("stop"))
    if stop is not None:
        attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = stop
    format_type = field_of(kwargs.get("response_format"), "type")
    if format_type in ("json_object", "json_schema"):
        attributes[sc.GEN_AI_OUTPUT_TYPE] = "json"
    elif format_type == "text":
        attributes[sc.GEN_AI_OUTPUT_TYPE] = "text"
    return attributes


def _read_message(index: int, message: Any, recorder: Recorder, *, streamed: bool) -> None:
    role = field_of(message, "role")
    if role:
        recorder.set_role(index, role)
    tool_calls = items_of(field_of(message, "tool_calls"))
    if tool_calls:
        _read_tool_calls(index, tool_calls, recorder, streamed=streamed)
    if recorder.capture_content:
        _read_content(index, field_of(message, "content"), recorder)


def _read_tool_calls(index: int, tool_calls: Iterable[Any], recorder: Recorder, *, streamed: bool) -> None:
    for position, call in enumerate(tool_calls):
        # A streamed tool call says which call it continues; a whole response lists them in order.
        call_index = field_of(call, "index") if streamed and _has_index(call) else position
        function = field_of(call, "function")
        recorder.add_tool_call(
            index,
            call_index,
            id=field_of(call, "id"),
            name=field_of(function, "name"),
            arguments=_content.arguments_text(field_of(function, "arguments")),
        )


def _has_index(call: Any) -> bool:
    if isinstance(call, dict):
        return isinstance(call.get("index"), int)
    # ToolCall.index defaults to 0: trust it only when the server actually sent it.
    return "index" in (getattr(call, "model_fields_set", None) or ())


def _read_content(index: int, content: Any, recorder: Recorder) -> None:
    if isinstance(content, str):
        if content:
            recorder.add_text(index, content)
        return
    for part in _content.content_parts(content) if content is not None else ():
        if part["type"] == "text" and part.get("content"):
            recorder.add_text(index, part["content"])
        elif part["type"] == "reasoning" and part.get("content"):
            recorder.add_text(index, part["content"], kind="reasoning")


def _read_usage(usage: Any, recorder: Recorder) -> None:
    if usage is None:
        return
    details = field_of(usage, "prompt_tokens_details")
    recorder.set_usage(
        input_tokens=integer_of(field_of(usage, "prompt_tokens")),
        output_tokens=integer_of(field_of(usage, "completion_tokens")),
        cache_read_input_tokens=integer_of(field_of(details, "cached_tokens")) if details is not None else None,
    )
