"""HuggingPlace adapter for groq: chat completions, plain and streamed, sync and async, raw responses."""

from __future__ import annotations

from huggingplace_instrumentation_groq._instrumentor import SUPPORTED, GroqInstrumentor

__all__ = ["SUPPORTED", "GroqInstrumentor"]
