"""HuggingPlace adapter for groq: chat completions, plain and streamed, sync and async, raw responses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# 0.13 is the oldest release that runs on httpx 0.28 (older ones pass ``proxies=``, which httpx 0.28
# removed); the adapter's tests pass at 0.13.0 and at the newest release.
SUPPORTED = "groq >= 0.13, < 2"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("groq",)

__all__ = ["SUPPORTED", "GroqInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_groq._instrumentor import GroqInstrumentor

__getattr__ = lazy_exports(__name__, GroqInstrumentor="._instrumentor")
