"""HuggingPlace adapter for ollama: chat, generate, embed and embeddings, module-level functions and
``Client``/``AsyncClient``, NDJSON streams included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# 0.4 is the first release whose results are pydantic models (earlier ones return plain dicts) and whose
# module has ``embed``; the adapter's tests pass at 0.4.0 and at the newest release.
SUPPORTED = "ollama >= 0.4, < 1"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("ollama",)

__all__ = ["SUPPORTED", "OllamaInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_ollama._instrumentor import OllamaInstrumentor

__getattr__ = lazy_exports(__name__, OllamaInstrumentor="._instrumentor")
