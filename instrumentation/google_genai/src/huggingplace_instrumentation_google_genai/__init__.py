"""HuggingPlace adapter for google-genai: traces Gemini API and Vertex AI content generation and embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# 1.29 is the first release whose Gemini API responses carry response_id (the methods wrapped below exist from
# 1.0 on, but a span without its response id would fall short).
SUPPORTED = "google-genai >= 1.29, < 4"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("google.genai",)

__all__ = ["SUPPORTED", "GoogleGenAIInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_google_genai._instrumentor import GoogleGenAIInstrumentor

__getattr__ = lazy_exports(__name__, GoogleGenAIInstrumentor="._instrumentor")
