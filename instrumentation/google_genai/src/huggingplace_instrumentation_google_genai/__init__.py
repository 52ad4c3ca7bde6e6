"""HuggingPlace adapter for google-genai: traces Gemini API and Vertex AI content generation and embeddings."""

from __future__ import annotations

from huggingplace_instrumentation_google_genai._instrumentor import SUPPORTED, GoogleGenAIInstrumentor

__all__ = ["SUPPORTED", "GoogleGenAIInstrumentor"]
