"""LiteLLMInstrumentor: which litellm functions are traced, each with its codec, and its stream classes."""

from __future__ import annotations

from typing import Any

from huggingplace_instrumentation_litellm import SUPPORTED
from huggingplace_sdk.engine import (
    GenAIInstrumentor,
    Hook,
    Invocation,
    Target,
    observe_stream_methods,
    stream_method_hooks,
)

from ._chat import CompletionCodec
from ._embeddings import EmbeddingCodec
from ._providers import UNRESOLVED
from ._responses import ResponsesCodec

_STREAMS = "litellm.litellm_core_utils.streaming_handler"
_RESPONSE_STREAMS = "litellm.responses.streaming_iterator"


def _stream_or_response(result: Any, invocation: Invocation) -> Any:
    """LiteLLM's streams iterate through their class's ``__next__``/``__anext__`` (hooked below)."""
    kind = type(result)
    if invocation.request.stream and (hasattr(kind, "__next__") or hasattr(kind, "__anext__")):
        return observe_stream_methods(invocation, result)
    invocation.finish(result)
    return result


class LiteLLMInstrumentor(GenAIInstrumentor):
    """Traces ``litellm.completion`` / ``acompletion`` / ``embedding`` / ``aembedding`` / ``responses`` /
    ``aresponses``; ``gen_ai.provider.name`` is the provider LiteLLM routes the model to."""

    provider = UNRESOLVED
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target | Hook]:
        chat, embedding, responses = CompletionCodec(), EmbeddingCodec(), ResponsesCodec()
        handler = _stream_or_response
        return [
            Target("litellm", "completion", chat, result_handler=handler),
            Target("litellm", "acompletion", chat, is_async=True, result_handler=handler),
            Target("litellm", "embedding", embedding),
            Target("litellm", "aembedding", embedding, is_async=True),
            Target("litellm", "responses", responses, result_handler=handler),
            Target("litellm", "aresponses", responses, is_async=True, result_handler=handler),
            *stream_method_hooks(_STREAMS, "CustomStreamWrapper"),
            *stream_method_hooks(_RESPONSE_STREAMS, "SyncResponsesAPIStreamingIterator", is_async=False),
            *stream_method_hooks(_RESPONSE_STREAMS, "ResponsesAPIStreamingIterator", sync=False),
        ]
