"""HuggingPlace adapter for cohere (v5 and later): v1 and v2 chat and chat_stream, generate, embed, rerank."""

from __future__ import annotations

from huggingplace_instrumentation_cohere._instrumentor import SUPPORTED, CohereInstrumentor

__all__ = ["SUPPORTED", "CohereInstrumentor"]
