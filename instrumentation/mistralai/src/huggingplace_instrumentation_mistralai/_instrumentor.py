"""MistralAIInstrumentor: which mistralai methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_sdk.engine import GenAIInstrumentor, Target

from ._chat import PROVIDER, ChatCodec
from ._embeddings import EmbeddingsCodec

SUPPORTED = "mistralai >= 1.2, < 4"

# mistralai 2.x and 3.x keep their client under ``mistralai.client``; 1.x had it at the top level.
_MODULE_ROOTS = ("mistralai.client", "mistralai")


class MistralAIInstrumentor(GenAIInstrumentor):
    """Traces ``chat.complete`` / ``chat.stream`` / ``embeddings.create`` and their async forms."""

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target]:
        complete, stream, embeddings = ChatCodec(), ChatCodec(streams=True), EmbeddingsCodec()
        targets: list[Target] = []
        for root in _MODULE_ROOTS:
            chat, embed = f"{root}.chat", f"{root}.embeddings"
            targets += [
                Target(chat, "Chat.complete", complete),
                Target(chat, "Chat.complete_async", complete, is_async=True),
                Target(chat, "Chat.stream", stream),
                Target(chat, "Chat.stream_async", stream, is_async=True),
                Target(embed, "Embeddings.create", embeddings),
                Target(embed, "Embeddings.create_async", embeddings, is_async=True),
            ]
        return targets
