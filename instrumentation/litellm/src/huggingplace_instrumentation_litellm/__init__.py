"""HuggingPlace adapter for litellm: traces completions (plain and streamed) and embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# 1.108 is the first release whose CustomStreamWrapper has close() and works as a context manager (older
# ones cannot be closed early, so a stream left early could not be told from one abandoned); 1.108's
# responses() still needs the optional mcp package, 1.109's does not. Verified by
# tests/test_oldest_supported_versions.py.
SUPPORTED = "litellm >= 1.109, < 2"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("litellm",)

__all__ = ["SUPPORTED", "LiteLLMInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_litellm._instrumentor import LiteLLMInstrumentor

__getattr__ = lazy_exports(__name__, LiteLLMInstrumentor="._instrumentor")
