"""Embeddings: ``embeddings.create``."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, items_of

from ._fields import arg, as_int, as_str, put
from ._request import new_request


class EmbeddingsCodec:
    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_EMBEDDINGS)
        request.stream = False
        encoding = as_str(arg(call.kwargs, "encoding_format"))
        put(request.attributes, sc.GEN_AI_REQUEST_ENCODING_FORMATS, [encoding] if encoding else None)
        put(request.attributes, sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, as_int(arg(call.kwargs, "dimensions")))
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(model=as_str(field_of(result, "model")))
        data = items_of(field_of(result, "data"))
        embedding = field_of(data[0], "embedding") if data else None
        if isinstance(embedding, list) and embedding:
            recorder.set_attribute(sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, len(embedding))
        usage = field_of(result, "usage")
        if usage is not None:
            recorder.set_usage(input_tokens=as_int(field_of(usage, "prompt_tokens")))

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Embeddings never stream."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
