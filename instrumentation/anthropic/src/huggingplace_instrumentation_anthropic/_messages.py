"""Codec for Anthropic Messages (``messages.create`` / ``parse`` / ``stream``, beta and non-beta).

Finish reasons are Anthropic's own ``stop_reason`` values (``end_turn``, ``max_tokens``, ``stop_sequence``,
``tool_use``, ``pause_turn``, ``refusal`` ...): the GenAI conventions allow provider values and mapping
``end_turn`` to ``stop`` would lose the difference with ``stop_sequence``.
Anthropic has one choice per response, so every output goes to choice 0; a content block's ``index``
is used as the tool call index, which keeps the streamed reading stateless.
"""

from __future__ import annotations

import json
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
    number_of,
    server_of,
    strings_of,
    text_of,
)

from . import _content

PROVIDER = "anthropic"
_CHOICE = 0


class MessagesCodec:
    """Reads ``Messages.create``-shaped calls; ``always_streams`` for methods that stream whatever the kwargs."""

    def __init__(self, *, always_streams: bool = False) -> None:
        self._always_streams = always_streams

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = Request(
            operation=sc.OP_CHAT,
            provider=PROVIDER,
            model=text_of(kwargs.get("model")),
            stream=self._always_streams or kwargs.get("stream") is True,
            attributes=_request_attributes(kwargs),
        )
        request.server_address, request.server_port = server_address(call.instance)
        request.input_messages = lambda: _content.input_messages(kwargs.get("messages"))
        if kwargs.get("system") is not None:
            request.system_instructions = lambda: _content.system_instructions(kwargs.get("system"))
        if kwargs.get("tools") is not None:
            request.tool_definitions = lambda: _content.tool_definitions(kwargs.get("tools"))
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(id=field_of(result, "id"), model=field_of(result, "model"))
        recorder.set_role(_CHOICE, field_of(result, "role") or "assistant")
        for index, block in enumerate(items_of(field_of(result, "content"))):
            _read_block(block, index, recorder, complete=True)
        recorder.set_finish_reason(_CHOICE, field_of(result, "stop_reason"))
        _read_usage(field_of(result, "usage"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        # Stream events are always SDK model objects: plain getattr on the hot path (one call per event).
        event_type = getattr(chunk, "type", None)
        if event_type == "content_block_delta":
            delta = getattr(chunk, "delta", None)
            if recorder.capture_content or getattr(delta, "type", None) == "input_json_delta":
                _read_delta(delta, getattr(chunk, "index", 0), recorder)  # the recorder checks its type
        elif event_type == "content_block_start":
            _read_block(field_of(chunk, "content_block"), field_of(chunk, "index") or 0, recorder, complete=False)
        elif event_type == "message_start":
            message = field_of(chunk, "message")
            recorder.set_response(id=field_of(message, "id"), model=field_of(message, "model"))
            recorder.set_role(_CHOICE, field_of(message, "role") or "assistant")
            _read_usage(field_of(message, "usage"), recorder)
        elif event_type == "message_delta":
            reason = field_of(field_of(chunk, "delta"), "stop_reason")
            if reason is not None:
                recorder.set_finish_reason(_CHOICE, reason)
            _read_usage(field_of(chunk, "usage"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False  # Anthropic streams always report usage; nothing is ever injected


_NUMERIC_PARAMETERS = (
    ("max_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
    ("top_k", sc.GEN_AI_REQUEST_TOP_K),
)


def _request_attributes(kwargs: dict[str, Any]) -> dict[str, Any]:
    attributes = number_attributes(kwargs, _NUMERIC_PARAMETERS)
    stop = strings_of(kwargs.get("stop_sequences"))
    if stop is not None:
        attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = stop
    return attributes


def server_address(instance: Any) -> tuple[str | None, int | None]:
    client = getattr(instance, "_client", None)
    base_url = getattr(client, "base_url", None)
    return server_of(base_url)


def _read_block(block: Any, index: int, recorder: Recorder, *, complete: bool) -> None:
    """A content block of a whole Message (``complete``) or of a content_block_start event."""
    block_type = field_of(block, "type")
    if block_type in ("tool_use", "server_tool_use"):
        # A streamed block starts with an empty input that input_json_delta events then fill in.
        arguments = json.dumps(field_of(block, "input")) if complete else None
        recorder.add_tool_call(
            _CHOICE, index, id=field_of(block, "id"), name=field_of(block, "name"), arguments=arguments
        )
    elif not recorder.capture_content:
        return
    elif block_type == "text":
        if field_of(block, "text"):
            recorder.add_text(_CHOICE, field_of(block, "text"))
    elif block_type == "thinking" and field_of(block, "thinking"):
        recorder.add_text(_CHOICE, field_of(block, "thinking"), kind="reasoning")
    # redacted_thinking carries only an encrypted payload: nothing readable to record.


def _read_delta(delta: Any, index: int, recorder: Recorder) -> None:
    delta_type = field_of(delta, "type")
    if delta_type == "input_json_delta":
        recorder.add_tool_call(_CHOICE, index, arguments=field_of(delta, "partial_json"))
    elif not recorder.capture_content:
        return
    elif delta_type == "text_delta":
        recorder.add_text(_CHOICE, field_of(delta, "text"))
    elif delta_type == "thinking_delta":
        recorder.add_text(_CHOICE, field_of(delta, "thinking"), kind="reasoning")


def _read_usage(usage: Any, recorder: Recorder) -> None:
    """Usage of a Message, a message_start or a message_delta (whose counts are cumulative: overwrite)."""
    if usage is None:
        return
    details = field_of(usage, "output_tokens_details")
    reasoning = number_of(field_of(details, "thinking_tokens")) if details is not None else None
    input_tokens = number_of(field_of(usage, "input_tokens"))
    if input_tokens is None:
        # A message_delta without input counts: only the (cumulative) output count moves.
        recorder.set_usage(
            output_tokens=integer_of(field_of(usage, "output_tokens")), reasoning_output_tokens=integer_of(reasoning)
        )
        return
    cache_read = number_of(field_of(usage, "cache_read_input_tokens"))
    cache_creation = number_of(field_of(usage, "cache_creation_input_tokens"))
    # The conventions count every input token: uncached + read from cache + written to cache.
    total_input = int(input_tokens) + int(cache_read or 0) + int(cache_creation or 0)
    recorder.set_usage(
        input_tokens=total_input,
        output_tokens=integer_of(field_of(usage, "output_tokens")),
        cache_read_input_tokens=integer_of(cache_read),
        cache_creation_input_tokens=integer_of(cache_creation),
        reasoning_output_tokens=integer_of(reasoning),
    )


