"""HuggingPlace adapter for cohere (v5 and later): v1 and v2 chat and chat_stream, generate, embed, rerank."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# 5.16 is the first release whose stream generators let close() through (older ones wrap each ``yield`` in
# a bare ``except: pass``, so closing a stream raises RuntimeError with or without us), and v2 embed and
# rerank exist from 5.10; the adapter's tests pass at 5.16.0 and at the newest release (7.3.1).
SUPPORTED = "cohere >= 5.16, < 8"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("cohere",)

__all__ = ["SUPPORTED", "CohereInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_cohere._instrumentor import CohereInstrumentor

__getattr__ = lazy_exports(__name__, CohereInstrumentor="._instrumentor")
