"""Reading the OpenAI-style chat completions wire shape, shared by every client that speaks it.

The ``openai`` and ``groq`` clients (both Stainless-generated) send the same ``chat.completions`` request and
return the same response and chunk models. An adapter builds one :class:`ChatCompletionsCodec` with its own
request reader (provider name, server address) and its vendor-specific extras; everything else is read here.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc
from .fields import field_of, given_value, is_mapping, items_of, strings_of
from .spec import Call, Message, Recorder, Request

_MISSING: Any = object()

# Reads the parts of a request a vendor decides itself: provider, model, stream flag, server address.
RequestReader = Callable[[Call, str], Request]
# Reads vendor-specific fields of a response or chunk model (e.g. openai's service tier).
MetadataReader = Callable[[Any, Recorder], None]
# Reads usage a vendor reports somewhere else than ``usage`` on a chunk (e.g. groq's ``x_groq.usage``).
ChunkUsageReader = Callable[[Any, Recorder], None]
# Records a ``usage`` object (``record_chat_usage`` unless a vendor reports more, e.g. cache writes).
UsageReader = Callable[[Any, Recorder], None]
# Reads vendor-specific fields of a message or delta of choice ``index`` (e.g. LiteLLM's
# ``reasoning_content``); called where the standard fields are read, just before them.
MessageReader = Callable[[int, Any, Recorder], None]


# --- argument reading -------------------------------------------------------------------------------------
# Stainless clients mark omitted arguments with sentinels (falsy objects); helpers such as ``stream()`` pass
# every argument explicitly, so an omitted one arrives as a sentinel rather than being absent (``given_value``).


def call_argument(kwargs: Mapping[str, Any], name: str) -> Any:
    """A call argument, ``None`` when absent or not given.

    Falls back to ``extra_body``, where callers put parameters their SDK release does not name yet (the
    value is sent all the same).
    """
    value = given_value(kwargs.get(name))
    if value is None and "extra_body" in kwargs:
        extra = given_value(kwargs["extra_body"])
        if isinstance(extra, Mapping):
            value = given_value(extra.get(name))
    return value


def strict_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def strict_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def non_empty_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def put_attribute(attributes: dict[str, AttributeValue], key: str, value: AttributeValue | None) -> None:
    if value is not None:
        attributes[key] = value


def stop_sequences(value: Any) -> list[str] | None:
    """A stop-sequence style argument (a string or a list of strings) as a list."""
    return strings_of(given_value(value))


# --- request ----------------------------------------------------------------------------------------------


def _choice_count(value: Any) -> int | None:
    count = strict_int(value)
    return None if count == 1 else count  # the default: recorded only when more than one was asked for


Sampling = Mapping[str, tuple[str, Callable[[Any], AttributeValue | None]]]

# Optional request arguments: argument name -> (attribute, strict conversion). Read in one pass over the
# arguments actually given, so a call pays for what it passes, not for every parameter the API has.
CHAT_SAMPLING: Sampling = {
    "temperature": (sc.GEN_AI_REQUEST_TEMPERATURE, strict_float),
    "top_p": (sc.GEN_AI_REQUEST_TOP_P, strict_float),
    "frequency_penalty": (sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, strict_float),
    "presence_penalty": (sc.GEN_AI_REQUEST_PRESENCE_PENALTY, strict_float),
    "seed": (sc.GEN_AI_REQUEST_SEED, strict_int),
    "stop": (sc.GEN_AI_REQUEST_STOP_SEQUENCES, stop_sequences),
    "n": (sc.GEN_AI_REQUEST_CHOICE_COUNT, _choice_count),
}


def put_chat_sampling(request: Request, kwargs: Mapping[str, Any], *max_token_names: str,
                 sampling: Sampling = CHAT_SAMPLING) -> None:
    """Sampling attributes of an OpenAI-style request. ``max_token_names`` in order of precedence (chat has
    ``max_completion_tokens`` and the older ``max_tokens``)."""
    attributes = request.attributes
    rank = _put_known(attributes, kwargs, None, max_token_names, len(max_token_names), sampling)
    if "extra_body" in kwargs:
        extra = given_value(kwargs["extra_body"])
        if isinstance(extra, Mapping):  # parameters this SDK release does not name yet; an argument wins
            _put_known(attributes, extra, kwargs, max_token_names, rank, sampling)


def put_sampling(attributes: dict[str, AttributeValue], values: Mapping[str, Any], sampling: Sampling) -> None:
    """The attributes ``sampling`` names for the arguments in ``values``, converted (any vendor's names)."""
    _put_known(attributes, values, None, (), 0, sampling)


def _put_known(attributes: dict[str, AttributeValue], values: Mapping[str, Any],
               overridden_by: Mapping[str, Any] | None, max_token_names: tuple[str, ...], rank: int,
               sampling: Sampling) -> int:
    """One pass over ``values``; returns the precedence rank of the max-tokens name recorded (or ``rank``)."""
    for name, value in values.items():
        if value is None:
            continue
        known = sampling.get(name)
        if known is None and name not in max_token_names:
            continue
        if overridden_by is not None and given_value(overridden_by.get(name)) is not None:
            continue
        if known is None:
            position = max_token_names.index(name)
            max_tokens = strict_int(given_value(value)) if position < rank else None
            if max_tokens is not None:
                attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] = max_tokens
                rank = position
            continue
        converted = known[1](given_value(value))
        if converted is not None:
            attributes[known[0]] = converted
    return rank


def chat_output_type(response_format: Any) -> str | None:
    """``gen_ai.output.type`` from a ``response_format`` (a dict, or a pydantic class for ``parse``)."""
    if inspect.isclass(response_format):
        return "json"
    kind = field_of(response_format, "type")
    if kind in ("json_object", "json_schema"):
        return "json"
    return "text" if kind == "text" else None


def is_usage_only_chunk(chunk: Any) -> bool:
    """The extra final chunk ``stream_options.include_usage`` produces: no choices, only usage."""
    choices = getattr(chunk, "choices", None)
    return isinstance(choices, list) and not choices and getattr(chunk, "usage", None) is not None


# --- content (read only when content capture is on) --------------------------------------------------------


def json_arguments(value: Any) -> Any:
    """Tool-call arguments: parsed when they are a JSON string, else as given."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text_part(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def chat_content_parts(content: Any) -> list[dict[str, Any]]:
    """A chat ``content`` (string, or list of typed parts) as GenAI parts."""
    content = given_value(content)
    if content is None:
        return []
    if isinstance(content, str):
        return [_text_part(content)] if content else []
    parts: list[dict[str, Any]] = []
    for part in content if isinstance(content, (list, tuple)) else [content]:
        kind = field_of(part, "type")
        if kind in ("text", "input_text", "output_text"):
            parts.append(_text_part(str(field_of(part, "text") or "")))
        elif kind == "refusal":
            parts.append(_text_part(str(field_of(part, "refusal") or "")))
        elif kind == "image_url":
            image = field_of(part, "image_url")
            parts.append({"type": "uri", "modality": "image", "uri": str(field_of(image, "url") or image or "")})
        elif kind == "input_image":
            parts.append({"type": "uri", "modality": "image", "uri": str(field_of(part, "image_url") or "")})
        elif isinstance(part, str):
            parts.append(_text_part(part))
        elif kind:
            parts.append({"type": str(kind)})  # audio, files: the modality only, never the bytes
    return parts


def chat_messages(messages: Any) -> list[Message]:
    """Chat completion ``messages`` (dicts or SDK models) as GenAI input messages.

    Only a list or tuple is read: another iterable (a generator) may be one-shot, and content is read before
    the call, so reading it would leave nothing for the client to send.
    """
    result: list[Message] = []
    for message in items_of(given_value(messages)):
        role = str(field_of(message, "role") or "user")
        parts = chat_content_parts(field_of(message, "content"))
        for call in items_of(field_of(message, "tool_calls")):
            function = field_of(call, "function")
            parts.append(
                {
                    "type": "tool_call",
                    "id": field_of(call, "id"),
                    "name": field_of(function, "name"),
                    "arguments": json_arguments(field_of(function, "arguments")),
                }
            )
        function_call = field_of(message, "function_call")
        if function_call is not None:
            parts.append(
                {
                    "type": "tool_call",
                    "name": field_of(function_call, "name"),
                    "arguments": json_arguments(field_of(function_call, "arguments")),
                }
            )
        if role in ("tool", "function"):
            response = "".join(p.get("content", "") for p in parts if p.get("type") == "text")
            parts = [{"type": "tool_call_response", "id": field_of(message, "tool_call_id"), "response": response}]
        result.append({"role": role, "parts": parts})
    return result


def chat_tool_definitions(tools: Any) -> list[dict[str, Any]]:
    """Tool definitions flattened to {type, name, description, parameters} (chat and Responses shapes).
    Only a list or tuple is read (see ``chat_messages``)."""
    definitions: list[dict[str, Any]] = []
    for tool in items_of(given_value(tools)):
        if not isinstance(tool, dict):
            continue
        nested = tool.get("function")
        function: dict[str, Any] = nested if isinstance(nested, dict) else tool
        definition = {"type": tool.get("type", "function")}
        for key in ("name", "description", "parameters"):
            if function.get(key) is not None:
                definition[key] = function[key]
        definitions.append(definition)
    return definitions


# --- usage ------------------------------------------------------------------------------------------------


def record_chat_usage(usage: Any, recorder: Recorder) -> None:
    """``prompt_tokens`` / ``completion_tokens`` with cached and reasoning details, as read: the recorder
    drops (and counts) values that are not token counts."""
    if usage is None:
        return
    input_tokens = getattr(usage, "prompt_tokens", _MISSING)
    if input_tokens is not _MISSING:  # the SDK's model (a mapping has no such attribute)
        prompt = getattr(usage, "prompt_tokens_details", None)
        completion = getattr(usage, "completion_tokens_details", None)
        recorder.set_usage(
            input_tokens=input_tokens,
            output_tokens=getattr(usage, "completion_tokens", None),
            cache_read_input_tokens=None if prompt is None else field_of(prompt, "cached_tokens"),
            reasoning_output_tokens=None if completion is None else field_of(completion, "reasoning_tokens"),
        )
        return
    recorder.set_usage(
        input_tokens=field_of(usage, "prompt_tokens"),
        output_tokens=field_of(usage, "completion_tokens"),
        cache_read_input_tokens=field_of(field_of(usage, "prompt_tokens_details"), "cached_tokens"),
        reasoning_output_tokens=field_of(field_of(usage, "completion_tokens_details"), "reasoning_tokens"),
    )


# --- responses and chunks ---------------------------------------------------------------------------------


def _record_tool_calls(index: int, message: Any, recorder: Recorder) -> None:
    for position, call in enumerate(items_of(field_of(message, "tool_calls"))):
        function = field_of(call, "function")
        call_index = strict_int(field_of(call, "index"))  # present on stream deltas only
        recorder.add_tool_call(
            index,
            position if call_index is None else call_index,
            id=non_empty_str(field_of(call, "id")),
            name=non_empty_str(field_of(function, "name")),
            arguments=field_of(function, "arguments") or None,
        )
    function_call = field_of(message, "function_call")  # the deprecated single-function form
    if function_call is not None:
        recorder.add_tool_call(
            index,
            0,
            name=non_empty_str(field_of(function_call, "name")),
            arguments=field_of(function_call, "arguments") or None,
        )


def _record_message(index: int, message: Any, recorder: Recorder) -> None:
    role = non_empty_str(field_of(message, "role"))
    if role is not None:
        recorder.set_role(index, role)
    for name in ("content", "refusal"):
        text = field_of(message, name)
        if isinstance(text, str) and text:
            recorder.add_text(index, text)
    _record_tool_calls(index, message, recorder)


class ChatCompletionsCodec:
    """``chat.completions.create`` / ``parse`` of an OpenAI-style client: one span per call, streams read
    chunk by chunk.

    ``new_request(call, operation)`` reads what the vendor decides (provider, model, stream, server);
    ``sampling`` maps the optional arguments to attributes; ``read_metadata`` reads vendor fields of a
    response or chunk model; ``read_chunk_usage`` reads usage a vendor reports outside ``usage``;
    ``prepare_stream(call, request)`` may change a streamed request (e.g. to ask for its usage);
    ``record_usage`` records a ``usage`` object; ``read_message`` reads vendor fields of a message or delta.
    """

    def __init__(self, new_request: RequestReader, *, sampling: Sampling = CHAT_SAMPLING,
                 read_metadata: MetadataReader | None = None, read_chunk_usage: ChunkUsageReader | None = None,
                 prepare_stream: Callable[[Call, Request], None] | None = None,
                 record_usage: UsageReader = record_chat_usage, read_message: MessageReader | None = None) -> None:
        self._new_request = new_request
        self._sampling = sampling
        self._read_metadata = read_metadata
        self._read_chunk_usage = read_chunk_usage
        self._prepare_stream = prepare_stream
        self._record_usage = record_usage
        self._read_message = read_message

    def _record_message(self, index: int, message: Any, recorder: Recorder) -> None:
        if self._read_message is not None:
            self._read_message(index, message, recorder)
        _record_message(index, message, recorder)

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = self._new_request(call, sc.OP_CHAT)
        put_chat_sampling(request, kwargs, "max_completion_tokens", "max_tokens", sampling=self._sampling)
        if "response_format" in kwargs or "extra_body" in kwargs:
            put_attribute(request.attributes, sc.GEN_AI_OUTPUT_TYPE,
                          chat_output_type(call_argument(kwargs, "response_format")))
        if request.stream and self._prepare_stream is not None:
            self._prepare_stream(call, request)
        if call.options.get("capture_content"):  # content is read only when it is captured
            messages = call_argument(kwargs, "messages")
            tools = call_argument(kwargs, "tools") or call_argument(kwargs, "functions")
            request.input_messages = lambda: chat_messages(messages)
            if tools:
                request.tool_definitions = lambda: chat_tool_definitions(tools)
        return request

    def record_metadata(self, result: Any, recorder: Recorder) -> None:
        """Response id, model and the vendor's extra fields, from a model or a plain mapping."""
        if is_mapping(result):
            recorder.set_response(id=field_of(result, "id"), model=field_of(result, "model"))
        else:  # the recorder checks types (and counts what it drops)
            recorder.set_response(id=getattr(result, "id", None), model=getattr(result, "model", None))
        if self._read_metadata is not None:
            self._read_metadata(result, recorder)

    def read_response(self, result: Any, recorder: Recorder) -> None:
        if is_mapping(result):
            self._read_fields(result, "message", recorder)
            return
        # The SDK's response model: plain attribute reads (a response holds no "not given" sentinels).
        self.record_metadata(result, recorder)
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
                self._record_message(index, message, recorder)
            elif getattr(message, "tool_calls", None) or getattr(message, "function_call", None):
                _record_tool_calls(index, message, recorder)
        self._record_usage(getattr(result, "usage", None), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        # The hot path (one call per streamed chunk): plain attribute reads on the SDK's chunk model,
        # metadata only until known, message content only when it is captured.
        choices = getattr(chunk, "choices", _MISSING)
        if choices is _MISSING:  # not the SDK's model: a plain mapping (raw JSON) or nothing we know
            if is_mapping(chunk):
                self._read_fields(chunk, "delta", recorder)
            return
        if recorder.response_model is None:
            self.record_metadata(chunk, recorder)
        capture = recorder.capture_content
        for position, choice in enumerate(items_of(choices)):
            index = getattr(choice, "index", None)
            index = position if index is None else index
            delta = getattr(choice, "delta", None)
            if delta is not None:
                if capture:
                    self._record_message(index, delta, recorder)
                elif getattr(delta, "tool_calls", None) or getattr(delta, "function_call", None):
                    _record_tool_calls(index, delta, recorder)
            reason = getattr(choice, "finish_reason", None)
            if reason:
                recorder.set_finish_reason(index, reason)
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self._record_usage(usage, recorder)
        elif self._read_chunk_usage is not None:
            self._read_chunk_usage(chunk, recorder)

    def _read_fields(self, result: Mapping[str, Any], message_key: str, recorder: Recorder) -> None:
        """A response or chunk given as a plain mapping (raw JSON)."""
        self.record_metadata(result, recorder)
        for position, choice in enumerate(items_of(field_of(result, "choices"))):
            index = strict_int(field_of(choice, "index"))
            index = position if index is None else index
            message = field_of(choice, message_key)
            if message is not None:
                self._record_message(index, message, recorder)
            recorder.set_finish_reason(index, non_empty_str(field_of(choice, "finish_reason")))
        usage = field_of(result, "usage")
        if usage is not None:
            self._record_usage(usage, recorder)
        elif self._read_chunk_usage is not None:
            self._read_chunk_usage(result, recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return is_usage_only_chunk(chunk)
