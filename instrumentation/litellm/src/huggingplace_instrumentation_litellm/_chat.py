"""Codec for ``litellm.completion`` / ``acompletion``: OpenAI-shaped ``ModelResponse`` and stream chunks.

LiteLLM answers in the OpenAI chat shape whatever the provider, so finish reasons are in OpenAI's vocabulary
(LiteLLM maps Anthropic's ``end_turn`` to ``stop``, ``max_tokens`` to ``length``, ``tool_use`` to
``tool_calls``). ``prompt_tokens`` already includes cached prompt tokens (LiteLLM adds Anthropic's cache
reads and writes into it), as ``gen_ai.usage.input_tokens`` wants.
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
from ._providers import model_of, resolve

_NUMERIC_PARAMETERS = (
    ("max_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("max_completion_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
    ("top_k", sc.GEN_AI_REQUEST_TOP_K),
    ("seed", sc.GEN_AI_REQUEST_SEED),
    ("presence_penalty", sc.GEN_AI_REQUEST_PRESENCE_PENALTY),
    ("frequency_penalty", sc.GEN_AI_REQUEST_FREQUENCY_PENALTY),
)


def new_request(call: Call, operation: str, model: Any, *, stream: bool = False) -> Request:
    """The request of any LiteLLM call: the model string as sent, the provider LiteLLM resolves it to."""
    model = text_of(model)
    provider, api_base = resolve(call, model)
    request = Request(operation=operation, provider=provider, model=model, stream=stream)
    request.server_address, request.server_port = server_of(api_base)
    api_key = text_of(call.kwargs.get("api_key"))
    if api_key:
        request.secrets = (api_key,)
    return request


class CompletionCodec:
    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = new_request(call, sc.OP_CHAT, model_of(call), stream=bool(kwargs.get("stream")))
        request.attributes = _request_attributes(kwargs)
        messages = kwargs.get("messages", call.args[1] if len(call.args) > 1 else None)
        request.input_messages = lambda: _content.input_messages(messages)
        if kwargs.get("tools"):
            request.tool_definitions = lambda: _content.tool_definitions(kwargs.get("tools"))
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(id=text_of(field_of(result, "id")), model=text_of(field_of(result, "model")))
        for choice in items_of(field_of(result, "choices")):
            index = field_of(choice, "index") or 0
            message = field_of(choice, "message")
            if message is not None:
                _read_message(index, message, recorder, streamed=False)
            recorder.set_finish_reason(index, field_of(choice, "finish_reason"))
        read_usage(field_of(result, "usage"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        if recorder.response_model is None:
            recorder.set_response(id=text_of(field_of(chunk, "id")), model=text_of(field_of(chunk, "model")))
        for choice in items_of(field_of(chunk, "choices")):
            index = field_of(choice, "index") or 0
            delta = field_of(choice, "delta")
            if delta is not None:
                _read_message(index, delta, recorder, streamed=True)
            reason = field_of(choice, "finish_reason")
            if reason is not None:
                recorder.set_finish_reason(index, reason)
        # The usage chunk comes only when the caller asked for it (stream_options.include_usage).
        read_usage(field_of(chunk, "usage"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False  # nothing is injected: LiteLLM streams carry usage only when the caller asks


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
    tool_calls = field_of(message, "tool_calls")
    if tool_calls:
        _read_tool_calls(index, tool_calls, recorder, streamed=streamed)
    if recorder.capture_content:
        reasoning = field_of(message, "reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            recorder.add_text(index, reasoning, kind="reasoning")
        content = field_of(message, "content")
        if isinstance(content, str) and content:
            recorder.add_text(index, content)


def _read_tool_calls(index: int, tool_calls: Iterable[Any], recorder: Recorder, *, streamed: bool) -> None:
    for position, call in enumerate(tool_calls):
        # A streamed tool call says which call it continues; a whole response lists them in order.
        call_index = field_of(call, "index") if streamed and isinstance(field_of(call, "index"), int) else position
        function = field_of(call, "function")
        recorder.add_tool_call(
            index,
            call_index,
            id=text_of(field_of(call, "id")),
            name=text_of(field_of(function, "name")),
            arguments=_content.arguments_text(field_of(function, "arguments")),
        )


def read_usage(usage: Any, recorder: Recorder) -> None:
    if usage is None:
        return
    prompt_details = field_of(usage, "prompt_tokens_details")
    completion_details = field_of(usage, "completion_tokens_details")
    recorder.set_usage(
        input_tokens=integer_of(field_of(usage, "prompt_tokens")),
        output_tokens=integer_of(field_of(usage, "completion_tokens")),
        cache_read_input_tokens=integer_of(field_of(prompt_details, "cached_tokens")),
        cache_creation_input_tokens=integer_of(field_of(usage, "cache_creation_input_tokens")),
        reasoning_output_tokens=integer_of(field_of(completion_details, "reasoning_tokens")),
    )
