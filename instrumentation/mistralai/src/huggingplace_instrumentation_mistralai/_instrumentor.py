"""MistralAIInstrumentor: which mistralai methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_instrumentation_mistralai import SUPPORTED
from huggingplace_sdk.engine import GenAIInstrumentor, Target

from ._chat import PROVIDER, ChatCodec
from ._embeddings import EmbeddingsCodec

_CHAT = "mistralai.client.chat"
_EMBEDDINGS = "mistralai.client.embeddings"


class MistralAIInstrumentor(GenAIInstrumentor):
    """Traces ``chat.complete`` / ``chat.stream`` / ``embeddings.create`` and their async forms."""

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target]:
        complete, stream, embeddings = ChatCodec(), ChatCodec(streams=True), EmbeddingsCodec()
        return [
            Target(_CHAT, "Chat.complete", complete),
            Target(_CHAT, "Chat.complete_async", complete, is_async=True),
            Target(_CHAT, "Chat.stream", stream),
            Target(_CHAT, "Chat.stream_async", stream, is_async=True),
            Target(_EMBEDDINGS, "Embeddings.create", embeddings),
            Target(_EMBEDDINGS, "Embeddings.create_async", embeddings, is_async=True),
        ]
