"""HuggingPlace adapter for LangChain and LangGraph: runs as spans, one inference span per model call."""

from __future__ import annotations

from huggingplace_instrumentation_langchain._instrumentor import SUPPORTED, LangChainInstrumentor

__all__ = ["SUPPORTED", "LangChainInstrumentor"]
