"""HuggingPlace adapter for litellm: traces completions (plain and streamed) and embeddings."""

from __future__ import annotations

from huggingplace_instrumentation_litellm._instrumentor import SUPPORTED, LiteLLMInstrumentor

__all__ = ["SUPPORTED", "LiteLLMInstrumentor"]
