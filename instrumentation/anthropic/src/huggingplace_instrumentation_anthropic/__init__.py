"""HuggingPlace adapter for anthropic: traces Messages (plain, streamed, stream helper, beta) and legacy
Text Completions on the shared GenAI engine."""

from __future__ import annotations

from huggingplace_instrumentation_anthropic._instrumentor import SUPPORTED, AnthropicInstrumentor

__all__ = ["SUPPORTED", "AnthropicInstrumentor"]
