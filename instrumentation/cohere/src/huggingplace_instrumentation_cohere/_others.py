"""v1 ``generate``, ``embed`` (v1 and v2) and ``rerank`` (v1 and v2): none of them streamed here."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, given_value

from ._request import new_request, record_usage

OP_RERANK = "rerank"


class GenerateCodec:
    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_TEXT_COMPLETION, False)
        prompt = given_value(call.kwargs.get("prompt"))
        if call.options.get("capture_content") and isinstance(prompt, str) and prompt:
            request.input_messages = lambda: [{"role": "user", "parts": [{"type": "text", "content": prompt}]}]
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        response_id = field_of(result, "id")
        recorder.set_response(id=response_id if isinstance(response_id, str) else None)
        for index, generation in enumerate(field_of(result, "generations") or ()):
            reason = field_of(generation, "finish_reason")
            if isinstance(reason, str) and reason:
                recorder.set_finish_reason(index, reason)
            text = field_of(generation, "text")
            if recorder.capture_content and isinstance(text, str) and text:
                recorder.set_role(index, "assistant")
                recorder.add_text(index, text)
        record_usage(field_of(result, "meta"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Not streamed (``generate_stream`` is not traced)."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


def _first_vector(embeddings: Any) -> Any:
    """The first embedding: a list of floats (v1 ``embeddings_floats``) or per type (``float``, ``int8`` ...)."""
    if isinstance(embeddings, list):
        return embeddings[0] if embeddings else None
    for name in ("float_", "float", "int8", "uint8"):
        vectors = field_of(embeddings, name)
        if vectors:
            return vectors[0]
    return None


class EmbedCodec:
    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_EMBEDDINGS, False)
        types = given_value(call.kwargs.get("embedding_types"))
        if isinstance(types, (list, tuple)) and types:
            request.attributes[sc.GEN_AI_REQUEST_ENCODING_FORMATS] = [str(t) for t in types]
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        response_id = field_of(result, "id")
        recorder.set_response(id=response_id if isinstance(response_id, str) else None)
        vector = _first_vector(field_of(result, "embeddings"))
        if isinstance(vector, list) and vector:
            recorder.set_attribute(sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, len(vector))
        record_usage(field_of(result, "meta"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Embeddings never stream."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


class RerankCodec:
    def read_request(self, call: Call) -> Request:
        request = new_request(call, OP_RERANK, False)
        documents, top_n = given_value(call.kwargs.get("documents")), given_value(call.kwargs.get("top_n"))
        if isinstance(documents, (list, tuple)):
            request.attributes[sc.COHERE_RERANK_DOCUMENT_COUNT] = len(documents)
        if isinstance(top_n, int) and not isinstance(top_n, bool):
            request.attributes[sc.COHERE_RERANK_TOP_N] = top_n
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        response_id = field_of(result, "id")
        recorder.set_response(id=response_id if isinstance(response_id, str) else None)
        record_usage(field_of(result, "meta"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Rerank never streams."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
