"""One codec per ollama method: ``chat``, ``generate``, ``embed`` and the older ``embeddings``.

Ollama streams NDJSON objects; the last one has ``done`` true and carries the usage
(``prompt_eval_count`` / ``eval_count``), the done reason and the server's durations.
"""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, argument_of, field_of, non_empty_str

from . import _content
from ._request import new_request, record_server_timings


def _read_final_or_chunk(result: Any, recorder: Recorder, text_field: str | None) -> None:
    if recorder.response_model is None:
        recorder.set_response(model=non_empty_str(field_of(result, "model")))
    if text_field == "message":
        _content.record_message(field_of(result, "message"), recorder)
    elif recorder.capture_content:
        text = field_of(result, "response")
        if isinstance(text, str) and text:
            recorder.add_text(0, text)
        thinking = field_of(result, "thinking")
        if isinstance(thinking, str) and thinking:
            recorder.add_text(0, thinking, kind="reasoning")
    if field_of(result, "done"):
        record_server_timings(result, recorder)


class ChatCodec:
    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_CHAT)
        if call.options.get("capture_content"):
            messages = argument_of(call.args, call.kwargs, 1, "messages")
            tools = call.kwargs.get("tools")
            request.input_messages = lambda: _content.chat_messages(messages)
            if tools:
                request.tool_definitions = lambda: _content.tool_definitions(tools)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        _read_final_or_chunk(result, recorder, "message")

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        _read_final_or_chunk(chunk, recorder, "message")

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


class GenerateCodec:
    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_TEXT_COMPLETION)
        if call.options.get("capture_content"):
            args, kwargs = call.args, call.kwargs
            prompt, images = argument_of(args, kwargs, 1, "prompt"), kwargs.get("images")
            system = kwargs.get("system")
            request.input_messages = lambda: _content.prompt_messages(prompt, images)
            if system:
                request.system_instructions = lambda: _content.system_instructions(system)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        _read_final_or_chunk(result, recorder, "response")

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        _read_final_or_chunk(chunk, recorder, "response")

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


class EmbedCodec:
    """``embed`` (one or many inputs; reports ``prompt_eval_count``) and ``embeddings`` (one prompt, the
    older endpoint: no usage). Neither streams."""

    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_EMBEDDINGS, streams=False)
        dimensions = call.kwargs.get("dimensions")
        if isinstance(dimensions, int) and not isinstance(dimensions, bool):
            request.attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(model=non_empty_str(field_of(result, "model")))
        embeddings = field_of(result, "embeddings")
        first = embeddings[0] if embeddings else field_of(result, "embedding")
        if first:
            recorder.set_attribute(sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, len(first))
        if field_of(result, "prompt_eval_count") is not None:
            record_server_timings(result, recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Embeddings never stream."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
