"""HuggingPlace adapter for anthropic: traces Messages (plain, streamed, stream helper, beta) and legacy
Text Completions on the shared GenAI engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

SUPPORTED = "anthropic >= 0.40, < 3"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("anthropic",)

__all__ = ["SUPPORTED", "AnthropicInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_anthropic._instrumentor import AnthropicInstrumentor

__getattr__ = lazy_exports(__name__, AnthropicInstrumentor="._instrumentor")
