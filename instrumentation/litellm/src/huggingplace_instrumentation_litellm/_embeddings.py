"""Codec for ``litellm.embedding`` / ``aembedding`` (an OpenAI-shaped ``EmbeddingResponse``)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, integer_of, items_of, text_of

from ._chat import new_request
from ._providers import model_of


class EmbeddingCodec:
    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        request = new_request(call, sc.OP_EMBEDDINGS, model_of(call))
        encoding = kwargs.get("encoding_format")
        if isinstance(encoding, str):
            request.attributes[sc.GEN_AI_REQUEST_ENCODING_FORMATS] = [encoding]
        dimensions = integer_of(kwargs.get("dimensions"))
        if dimensions is not None:
            request.attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(model=text_of(field_of(result, "model")))
        data = items_of(field_of(result, "data"))
        first = field_of(data[0], "embedding") if data else None
        if isinstance(first, list):
            recorder.set_attribute(sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, len(first))
        usage = field_of(result, "usage")
        if usage is not None:
            recorder.set_usage(input_tokens=integer_of(field_of(usage, "prompt_tokens")))

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Embeddings never stream."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
