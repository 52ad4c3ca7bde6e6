"""HuggingPlace adapter for LangChain and LangGraph: runs as spans, one inference span per model call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

SUPPORTED = "langchain-core >= 0.3.40, < 2"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("langchain_core",)

__all__ = ["SUPPORTED", "LangChainInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_langchain._instrumentor import LangChainInstrumentor

__getattr__ = lazy_exports(__name__, LangChainInstrumentor="._instrumentor")
