"""Codec for ``litellm.responses`` / ``aresponses`` (OpenAI's Responses API shape, any provider).

LiteLLM hands out response ids that encode the provider and the provider's own id
(``resp_`` + base64 of ``litellm:custom_llm_provider:...;model_id:...;response_id:<provider id>``):
``gen_ai.response.id`` is the provider's id, so the span matches the provider's own records.
Finish reasons and usage are read by the engine's shared Responses reader.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    Message,
    Recorder,
    Request,
    chat_content_parts,
    chat_tool_definitions,
    field_of,
    integer_of,
    items_of,
    number_attributes,
    record_responses_usage,
    responses_finish_reason,
    text_of,
)

from ._chat import new_request
from ._providers import model_of

_NUMERIC_PARAMETERS = (
    ("max_output_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
)
_TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})
_ENCODED_ID_MARK = "response_id:"


def responses_input(given: Any) -> list[Message]:
    """Responses ``input``: a string, or a list of messages and items (reasoning, tool calls, outputs).

    Only a list or tuple is read: another iterable may be one-shot, and content is read before the call.
    """
    if isinstance(given, str):
        return [{"role": "user", "parts": [{"type": "text", "content": given}]}]
    result: list[Message] = []
    for item in items_of(given):
        kind = field_of(item, "type")
        if kind == "function_call":
            result.append({"role": "assistant", "parts": [{
                "type": "tool_call", "id": field_of(item, "call_id"), "name": field_of(item, "name"),
                "arguments": field_of(item, "arguments"),
            }]})
        elif kind == "function_call_output":
            result.append({"role": "tool", "parts": [{
                "type": "tool_call_response", "id": field_of(item, "call_id"), "response": field_of(item, "output"),
            }]})
        elif kind == "reasoning":
            text = "".join(str(field_of(s, "text") or "") for s in items_of(field_of(item, "summary")))
            result.append({"role": "assistant", "parts": [{"type": "reasoning", "content": text}]})
        else:
            role = str(field_of(item, "role") or "user")
            result.append({"role": role, "parts": chat_content_parts(field_of(item, "content"))})
    return result


def provider_response_id(response_id: Any) -> str | None:
    """The provider's id inside a LiteLLM-encoded Responses id (any other id as it is)."""
    if not isinstance(response_id, str):
        return None
    if not response_id.startswith("resp_"):
        return response_id
    try:
        decoded = base64.b64decode(response_id[5:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return response_id  # a provider id that merely looks like ours
    if not decoded.startswith("litellm:") or _ENCODED_ID_MARK not in decoded:
        return response_id
    return decoded.rsplit(_ENCODED_ID_MARK, 1)[1] or response_id


def _read_summary(response: Any, recorder: Recorder) -> None:
    recorder.set_response(id=provider_response_id(field_of(response, "id")),
                          model=text_of(field_of(response, "model")))
    recorder.set_finish_reason(0, responses_finish_reason(response))
    record_responses_usage(field_of(response, "usage"), recorder)


class ResponsesCodec:
    """All output items belong to one choice (index 0); tool calls keep their item order."""

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = new_request(call, sc.OP_CHAT, model_of(call, 1), stream=bool(kwargs.get("stream")))
        request.attributes = number_attributes(kwargs, _NUMERIC_PARAMETERS)
        given = kwargs.get("input", call.args[0] if call.args else None)
        request.input_messages = lambda: responses_input(given)
        instructions = kwargs.get("instructions")
        if isinstance(instructions, str) and instructions:
            request.system_instructions = lambda: [{"type": "text", "content": instructions}]
        if kwargs.get("tools"):
            request.tool_definitions = lambda: chat_tool_definitions(kwargs.get("tools"))
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        _read_summary(result, recorder)
        calls = 0
        for item in items_of(field_of(result, "output")):
            kind = field_of(item, "type")
            if kind == "message":
                recorder.set_role(0, text_of(field_of(item, "role")) or "assistant")
                for part in items_of(field_of(item, "content")):
                    text = field_of(part, "text" if field_of(part, "type") == "output_text" else "refusal")
                    if isinstance(text, str) and text:
                        recorder.add_text(0, text)
            elif kind == "function_call":
                recorder.add_tool_call(0, calls, id=text_of(field_of(item, "call_id")),
                                       name=text_of(field_of(item, "name")),
                                       arguments=text_of(field_of(item, "arguments")))
                calls += 1
            elif kind == "reasoning":
                for summary in items_of(field_of(item, "summary")):
                    text = field_of(summary, "text")
                    if isinstance(text, str) and text:
                        recorder.add_text(0, text, kind="reasoning")

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        kind = field_of(chunk, "type")
        if kind == "response.output_text.delta":
            delta = field_of(chunk, "delta")
            if isinstance(delta, str) and delta:
                recorder.add_text(0, delta)
        elif kind == "response.reasoning_summary_text.delta":
            delta = field_of(chunk, "delta")
            if isinstance(delta, str) and delta:
                recorder.add_text(0, delta, kind="reasoning")
        elif kind == "response.output_item.added":
            item = field_of(chunk, "item")
            if field_of(item, "type") == "function_call":
                recorder.add_tool_call(0, integer_of(field_of(chunk, "output_index")) or 0,
                                       id=text_of(field_of(item, "call_id")), name=text_of(field_of(item, "name")))
        elif kind == "response.function_call_arguments.delta":
            recorder.add_tool_call(0, integer_of(field_of(chunk, "output_index")) or 0,
                                   arguments=text_of(field_of(chunk, "delta")))
        elif kind == "response.created":
            response = field_of(chunk, "response")
            recorder.set_response(id=provider_response_id(field_of(response, "id")),
                                  model=text_of(field_of(response, "model")))
        elif kind in _TERMINAL_EVENTS:
            _read_summary(field_of(chunk, "response"), recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
