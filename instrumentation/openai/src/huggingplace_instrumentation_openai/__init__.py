"""HuggingPlace adapter for openai: chat completions, the Responses API, legacy completions, embeddings."""

from __future__ import annotations

from huggingplace_instrumentation_openai._instrumentor import OpenAIInstrumentor
from huggingplace_instrumentation_openai._version import __version__

__all__ = ["OpenAIInstrumentor", "__version__"]
