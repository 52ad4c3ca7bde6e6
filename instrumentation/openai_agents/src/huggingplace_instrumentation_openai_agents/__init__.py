"""HuggingPlace adapter for the OpenAI Agents SDK: agents, tools, handoffs and guardrails as spans, one
inference span per model call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

SUPPORTED = "openai-agents >= 0.2, < 1"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("agents",)

__all__ = ["SUPPORTED", "OpenAIAgentsInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_openai_agents._instrumentor import OpenAIAgentsInstrumentor

__getattr__ = lazy_exports(__name__, OpenAIAgentsInstrumentor="._instrumentor")
