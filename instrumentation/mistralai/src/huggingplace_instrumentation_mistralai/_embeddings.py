"""Codec for Mistral embeddings (``embeddings.create`` / ``create_async``)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request

from ._chat import PROVIDER, server_address
from ._fields import field, integer, text


class EmbeddingsCodec:
    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        attributes: dict[str, Any] = {}
        encoding = kwargs.get("encoding_format")
        if isinstance(encoding, str):
            attributes[sc.GEN_AI_REQUEST_ENCODING_FORMATS] = [encoding]
        dimensions = integer(kwargs.get("output_dimension"))
        if dimensions is not None:
            attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions
        request = Request(
            operation=sc.OP_EMBEDDINGS, provider=PROVIDER, model=text(kwargs.get("model")), attributes=attributes
        )
        request.server_address, request.server_port = server_address(call)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(id=field(result, "id"), model=field(result, "model"))
        data = field(result, "data") or ()
        first = field(data[0], "embedding") if data else None
        if isinstance(first, list):
            recorder.set_attribute(sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, len(first))
        usage = field(result, "usage")
        if usage is not None:
            recorder.set_usage(input_tokens=integer(field(usage, "prompt_tokens")))

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Embeddings never stream."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
