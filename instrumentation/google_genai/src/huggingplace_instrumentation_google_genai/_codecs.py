"""Codecs for google-genai: content generation (whole and streamed) and embeddings, Gemini API and Vertex AI.

Usage mapping (``usage_metadata``), so that input + output equals ``total_token_count``:

* input = ``prompt_token_count`` + ``tool_use_prompt_token_count`` (the prompt already holds the cached
  tokens; tool-use prompt tokens, from built-in tools such as search, are counted apart by Gemini);
* output = ``candidates_token_count`` + ``thoughts_token_count`` (thinking is generated output);
* cache read = ``cached_content_token_count``; reasoning = ``thoughts_token_count``.

A stream repeats the running totals in each chunk (Vertex sends none until the last one): each chunk's counts
replace the earlier ones, so nothing is added twice.
"""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, integer_of, number_of, server_of, text_of

from . import _content

GEMINI = "gcp.gemini"
VERTEX_AI = "gcp.vertex_ai"

_NUMERIC_CONFIG = (
    ("max_output_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
    ("top_k", sc.GEN_AI_REQUEST_TOP_K),
    ("seed", sc.GEN_AI_REQUEST_SEED),
    ("presence_penalty", sc.GEN_AI_REQUEST_PRESENCE_PENALTY),
    ("frequency_penalty", sc.GEN_AI_REQUEST_FREQUENCY_PENALTY),
)


class GenerateContentCodec:
    """``streams``: the wrapped method streams (``generate_content_stream``)."""

    def __init__(self, *, streams: bool = False) -> None:
        self._streams = streams

    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        config = kwargs.get("config")
        request = _base_request(call, sc.OP_GENERATE_CONTENT, self._streams)
        if config is not None:
            request.attributes.update(_config_attributes(config))
            if field_of(config, "system_instruction") is not None:
                request.system_instructions = lambda: _content.system_instructions(
                    field_of(config, "system_instruction"))
            if field_of(config, "tools"):
                request.tool_definitions = lambda: _content.tool_definitions(field_of(config, "tools"))
        request.input_messages = lambda: _content.input_messages(kwargs.get("contents"))
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        _read_generation(result, recorder, streamed=False)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        _read_generation(chunk, recorder, streamed=True)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False  # Gemini streams report usage unasked


class EmbedContentCodec:
    def read_request(self, call: Call) -> Request:
        request = _base_request(call, sc.OP_EMBEDDINGS, False)
        dimensions = integer_of(field_of(call.kwargs.get("config"), "output_dimensionality"))
        if dimensions is not None:
            request.attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        embeddings = field_of(result, "embeddings") or ()
        values = field_of(embeddings[0], "values") if embeddings else None
        if isinstance(values, list):
            recorder.set_attribute(sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, len(values))
        # Only Vertex counts the input tokens of each embedded text; the Gemini API reports no usage.
        counts = [integer_of(field_of(field_of(e, "statistics"), "token_count")) for e in embeddings]
        if counts and all(count is not None for count in counts):
            recorder.set_usage(input_tokens=sum(count for count in counts if count is not None))

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Embeddings never stream."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


def _base_request(call: Call, operation: str, stream: bool) -> Request:
    client = getattr(call.instance, "_api_client", None)
    request = Request(
        operation=operation,
        provider=VERTEX_AI if getattr(client, "vertexai", False) else GEMINI,
        model=text_of(call.kwargs.get("model")),  # as sent: "gemini-2.5-flash", "models/...", "projects/..."
        stream=stream,
    )
    request.server_address, request.server_port = _server(client, call.kwargs.get("config"))
    api_key = getattr(client, "api_key", None)
    if isinstance(api_key, str) and api_key:
        request.secrets = (api_key,)
    return request


def _server(client: Any, config: Any) -> tuple[str | None, int | None]:
    # A per-request base URL (config.http_options) wins over the client's.
    override = field_of(field_of(config, "http_options"), "base_url") if config is not None else None
    if isinstance(override, str) and override:
        return server_of(override)
    options = getattr(client, "_http_options", None)
    return server_of(field_of(options, "base_url")) if options is not None else (None, None)


def _config_attributes(config: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for key, attribute in _NUMERIC_CONFIG:
        value = number_of(field_of(config, key))
        if value is not None:
            attributes[attribute] = value
    count = integer_of(field_of(config, "candidate_count"))
    if count is not None and count != 1:
        attributes[sc.GEN_AI_REQUEST_CHOICE_COUNT] = count
    stop = field_of(config, "stop_sequences")
    if isinstance(stop, (list, tuple)) and all(isinstance(item, str) for item in stop):
        attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = list(stop)
    mime = field_of(config, "response_mime_type")
    if mime == "application/json":
        attributes[sc.GEN_AI_OUTPUT_TYPE] = "json"
    elif mime == "text/plain":
        attributes[sc.GEN_AI_OUTPUT_TYPE] = "text"
    return attributes


# Responses and chunks are always the SDK's own models (GenerateContentResponse): they are read by plain attribute
# access, which costs a fraction of field_of on this per-chunk path. Requests (dicts or models) use field_of.
def _read_generation(response: Any, recorder: Recorder, *, streamed: bool) -> None:
    recorder.set_response(id=getattr(response, "response_id", None), model=getattr(response, "model_version", None))
    candidates = getattr(response, "candidates", None)
    if candidates:
        for position, candidate in enumerate(candidates):
            index = getattr(candidate, "index", None)
            _read_candidate(index if isinstance(index, int) else position, candidate, recorder, streamed=streamed)
    feedback = getattr(response, "prompt_feedback", None)
    if feedback is not None:
        reason = _enum_text(getattr(feedback, "block_reason", None))
        if reason:
            recorder.set_attribute(sc.HP_PROMPT_BLOCK_REASON, reason)
    usage = getattr(response, "usage_metadata", None)
    if usage is not None:
        _read_usage(usage, recorder)


def _read_candidate(index: int, candidate: Any, recorder: Recorder, *, streamed: bool) -> None:
    content = getattr(candidate, "content", None)
    if content is not None:
        role = getattr(content, "role", None)
        if role:
            recorder.set_role(index, role)
        for position, part in enumerate(getattr(content, "parts", None) or ()):
            call = getattr(part, "function_call", None)
            if call is not None:
                # Gemini sends each call whole; a stream may send several, one chunk each.
                call_index = recorder.tool_call_count(index) if streamed else position
                arguments = _arguments_text(getattr(call, "args", None)) if recorder.capture_content else None
                recorder.add_tool_call(index, call_index, id=getattr(call, "id", None),
                                       name=getattr(call, "name", None), arguments=arguments)
            elif recorder.capture_content:
                text = getattr(part, "text", None)
                if text:
                    recorder.add_text(index, text, kind="reasoning" if getattr(part, "thought", None) else "text")
    reason = getattr(candidate, "finish_reason", None)
    if reason is not None:
        recorder.set_finish_reason(index, _enum_text(reason))
    ratings = getattr(candidate, "safety_ratings", None)
    if ratings:
        blocked = [_enum_text(getattr(rating, "category", None)) for rating in ratings
                   if getattr(rating, "blocked", None)]
        if blocked:
            recorder.set_attribute(sc.HP_SAFETY_BLOCKED_CATEGORIES, [name for name in blocked if name])


def _read_usage(usage: Any, recorder: Recorder) -> None:
    prompt = _count(getattr(usage, "prompt_token_count", None))
    tool_prompt = _count(getattr(usage, "tool_use_prompt_token_count", None))
    candidates = _count(getattr(usage, "candidates_token_count", None))
    thoughts = _count(getattr(usage, "thoughts_token_count", None))
    if prompt is None and tool_prompt is None and candidates is None and thoughts is None:
        return  # Vertex's early stream chunks carry only the traffic type: no count, nothing invented
    recorder.set_usage(
        input_tokens=None if prompt is None and tool_prompt is None else (prompt or 0) + (tool_prompt or 0),
        output_tokens=None if candidates is None and thoughts is None else (candidates or 0) + (thoughts or 0),
        cache_read_input_tokens=_count(getattr(usage, "cached_content_token_count", None)),
        reasoning_output_tokens=thoughts,
    )


def _count(value: Any) -> int | None:
    return value if type(value) is int else None


def _enum_text(value: Any) -> str | None:
    """An SDK enum member as its wire value ("STOP", "SAFETY"); a plain string as it is."""
    if value is None:
        return None
    text = getattr(value, "value", value)
    return text if isinstance(text, str) else None


def _arguments_text(args: Any) -> str | None:
    return None if args is None else json.dumps(args)
