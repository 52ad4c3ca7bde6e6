"""HuggingPlace adapter for the OpenAI Agents SDK: agents, tools, handoffs and guardrails as spans, one
inference span per model call."""

from __future__ import annotations

from huggingplace_instrumentation_openai_agents._instrumentor import SUPPORTED, OpenAIAgentsInstrumentor

__all__ = ["SUPPORTED", "OpenAIAgentsInstrumentor"]
