"""HuggingPlace SDK: tracing for LLM applications on OpenTelemetry, and the HuggingPlace client."""

from __future__ import annotations

__all__: list[str] = []
