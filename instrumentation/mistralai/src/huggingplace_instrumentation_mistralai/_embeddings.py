"""Codec for Mistral embeddings (``embeddings.create`` / ``create_async``)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, integer_of, items_of, text_of

from ._chat import PROVIDER, server_address


class EmbeddingsCodec:
    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        attributes: dict[str, Any] = {}
        encoding = kwargs.get("encoding_format")
        if isinstance(encoding, str):
            attributes[sc.GEN_AI_REQUEST_ENCODING_FORMATS] = [encoding]
        dimensions = integer_of(kwargs.get("output_dimension"))
        if dimensions is not None:
            attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions
        request = Request(
            operation=sc.OP_EMBEDDINGS, provider=PROVIDER, model=text_of(kwargs.get("model")), attributes=attributes
        )
        request.server_address, request.server_port = server_address(call)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(id=field_of(result, "id"), model=field_of(result, "model"))
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
