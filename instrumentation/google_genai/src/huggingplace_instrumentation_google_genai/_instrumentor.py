"""GoogleGenAIInstrumentor: which google-genai methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_instrumentation_google_genai import SUPPORTED
from huggingplace_sdk.engine import GenAIInstrumentor, Target

from ._codecs import GEMINI, EmbedContentCodec, GenerateContentCodec

_MODELS = "google.genai.models"


class GoogleGenAIInstrumentor(GenAIInstrumentor):
    """Traces ``models.generate_content`` / ``generate_content_stream`` / ``embed_content`` (sync and async),
    and through them chats.

    A whole response is traced at ``_generate_content``, the method that sends one request: automatic function
    calling and automatic continuation send several requests from one ``generate_content`` call, and each gets
    its own span and its own usage. Streams are traced at ``generate_content_stream``, the object the caller
    iterates and closes, so that every exit path of the caller's stream ends the span.
    """

    provider = GEMINI  # gen_ai.provider.name is set per call: gcp.vertex_ai for a Vertex client
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target]:
        generate, stream, embed = GenerateContentCodec(), GenerateContentCodec(streams=True), EmbedContentCodec()
        return [
            Target(_MODELS, "Models._generate_content", generate),
            Target(_MODELS, "AsyncModels._generate_content", generate, is_async=True),
            Target(_MODELS, "Models.generate_content_stream", stream),
            Target(_MODELS, "AsyncModels.generate_content_stream", stream, is_async=True),
            Target(_MODELS, "Models.embed_content", embed),
            Target(_MODELS, "AsyncModels.embed_content", embed, is_async=True),
        ]
