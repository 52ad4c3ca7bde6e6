"""HuggingPlace adapter for mistralai: traces chat completions (plain and streamed) and embeddings."""

from __future__ import annotations

from huggingplace_instrumentation_mistralai._instrumentor import SUPPORTED, MistralAIInstrumentor

__all__ = ["SUPPORTED", "MistralAIInstrumentor"]
