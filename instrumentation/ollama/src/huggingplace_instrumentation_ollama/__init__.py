"""HuggingPlace adapter for ollama: chat, generate, embed and embeddings, module-level functions and
``Client``/``AsyncClient``, NDJSON streams included."""

from __future__ import annotations

from huggingplace_instrumentation_ollama._instrumentor import SUPPORTED, OllamaInstrumentor

__all__ = ["SUPPORTED", "OllamaInstrumentor"]
