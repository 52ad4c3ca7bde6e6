"""OllamaInstrumentor: which ollama methods and module-level functions are traced, each with its codec."""

from __future__ import annotations

from huggingplace_instrumentation_ollama import SUPPORTED
from huggingplace_sdk.engine import Codec, GenAIInstrumentor, Hook, Target

from ._codecs import ChatCodec, EmbedCodec, GenerateCodec
from ._request import PROVIDER


class OllamaInstrumentor(GenAIInstrumentor):
    """Traces ``chat``, ``generate``, ``embed`` and ``embeddings`` of ``Client`` and ``AsyncClient``, and the
    module-level functions (``ollama.chat`` ...), which are bound to a client made at import time and so
    are not reached through the class."""

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target | Hook]:
        chat, generate, embed = ChatCodec(), GenerateCodec(), EmbedCodec()
        methods: list[tuple[str, Codec]] = [
            ("chat", chat), ("generate", generate), ("embed", embed), ("embeddings", embed),
        ]
        targets: list[Target | Hook] = []
        for name, codec in methods:
            targets.append(Target("ollama._client", f"Client.{name}", codec))
            targets.append(Target("ollama._client", f"AsyncClient.{name}", codec, is_async=True))
            targets.append(Target("ollama", name, codec))
        return targets
