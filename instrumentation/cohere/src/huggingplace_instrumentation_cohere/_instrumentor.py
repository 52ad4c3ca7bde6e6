"""CohereInstrumentor: which cohere methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_instrumentation_cohere import SUPPORTED
from huggingplace_sdk.engine import Codec, GenAIInstrumentor, Hook, Target

from ._chat import ChatV1Codec, ChatV2Codec
from ._others import EmbedCodec, GenerateCodec, RerankCodec
from ._request import PROVIDER

_V1 = "cohere.base_client"
_V2 = "cohere.v2.client"


class CohereInstrumentor(GenAIInstrumentor):
    """Traces v1 ``chat``, ``chat_stream``, ``generate``, ``embed`` and ``rerank`` (``Client`` and
    ``AsyncClient``) and v2 ``chat``, ``chat_stream``, ``embed`` and ``rerank`` (``ClientV2``,
    ``AsyncClientV2`` and ``client.v2``).

    ``Client.embed`` is wrapped rather than the base class's: it splits the texts into batches sent from a
    thread pool, and the caller's one call must stay one span.
    """

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target | Hook]:
        embed, rerank = EmbedCodec(), RerankCodec()
        # (module, class prefix, method, codec, is_async). An async ``chat_stream`` is an async generator
        # function: calling it returns the stream without awaiting, so it is wrapped as a sync call.
        methods: list[tuple[str, str, str, Codec, bool]] = []
        for module, chat, chat_stream in ((_V1, ChatV1Codec(False), ChatV1Codec(True)),
                                          (_V2, ChatV2Codec(False), ChatV2Codec(True))):
            sync, async_ = ("BaseCohere", "AsyncBaseCohere") if module == _V1 else ("V2Client", "AsyncV2Client")
            methods += [
                (module, sync, "chat", chat, False), (module, async_, "chat", chat, True),
                (module, sync, "chat_stream", chat_stream, False), (module, async_, "chat_stream", chat_stream, False),
                (module, sync, "rerank", rerank, False), (module, async_, "rerank", rerank, True),
            ]
        methods += [
            (_V1, "BaseCohere", "generate", GenerateCodec(), False),
            (_V1, "AsyncBaseCohere", "generate", GenerateCodec(), True),
            ("cohere.client", "Client", "embed", embed, False),
            ("cohere.client", "AsyncClient", "embed", embed, True),
            (_V2, "V2Client", "embed", embed, False),
            (_V2, "AsyncV2Client", "embed", embed, True),
        ]
        return [Target(module, f"{cls}.{name}", codec, is_async=is_async)
                for module, cls, name, codec, is_async in methods]
