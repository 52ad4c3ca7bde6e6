"""HuggingPlace adapter for mistralai: traces chat completions (plain and streamed) and embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# From 2.10 the streams have close() (1.x and early 2.x ones close only through ``with``, bypassing any
# observer, so a stream left early could not be told apart from one abandoned).
SUPPORTED = "mistralai >= 2.10, < 4"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("mistralai",)

__all__ = ["SUPPORTED", "MistralAIInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_mistralai._instrumentor import MistralAIInstrumentor

__getattr__ = lazy_exports(__name__, MistralAIInstrumentor="._instrumentor")
