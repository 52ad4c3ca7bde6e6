"""HuggingPlace adapter for openai: chat completions, the Responses API, legacy completions, embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_instrumentation_openai._version import __version__
from huggingplace_sdk._engine.activation import lazy_exports

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("openai",)

__all__ = ["OpenAIInstrumentor", "__version__"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_openai._instrumentor import OpenAIInstrumentor

__getattr__ = lazy_exports(__name__, OpenAIInstrumentor="._instrumentor")
