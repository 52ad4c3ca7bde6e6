"""GroqInstrumentor: which groq methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target, raw_response_handler

from ._chat import PROVIDER, ChatCodec

# 0.13 is the oldest release that runs on httpx 0.28 (older ones pass ``proxies=``, which httpx 0.28
# removed); the adapter's tests pass at 0.13.0 and at the newest release.
SUPPORTED = "groq >= 0.13, < 2"

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
