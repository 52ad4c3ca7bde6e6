"""openai usage objects (chat/completions and Responses API shapes): read by the engine's shared readers."""

from __future__ import annotations

from huggingplace_sdk.engine import record_chat_usage, record_responses_usage

__all__ = ["record_chat_usage", "record_responses_usage"]
