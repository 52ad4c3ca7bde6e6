"""GroqInstrumentor: which groq methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_instrumentation_groq import SUPPORTED
from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target, raw_response_handler

from ._chat import PROVIDER, ChatCodec

_CHAT = "groq.resources.chat.completions"


class GroqInstrumentor(GenAIInstrumentor):
    """Traces ``chat.completions.create``, plain and streamed, sync and async, ``with_raw_response`` and
    ``with_streaming_response`` included."""

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target | Hook]:
        chat, handle_result = ChatCodec(), raw_response_handler()
        return [
            Target(_CHAT, "Completions.create", chat, result_handler=handle_result),
            Target(_CHAT, "AsyncCompletions.create", chat, is_async=True, result_handler=handle_result),
        ]
