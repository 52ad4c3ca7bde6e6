"""openai usage objects (chat/completions and Responses API shapes) into the recorder."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import Recorder, field_of, record_chat_usage

__all__ = ["record_chat_usage", "record_responses_usage"]


def record_responses_usage(usage: Any, recorder: Recorder) -> None:
    """Responses API ``input_tokens`` / ``output_tokens`` with cached and reasoning details, as read: the
    recorder drops (and counts) values that are not token counts."""
    if usage is None:
        return
    recorder.set_usage(
        input_tokens=field_of(usage, "input_tokens"),
        output_tokens=field_of(usage, "output_tokens"),
        cache_read_input_tokens=field_of(field_of(usage, "input_tokens_details"), "cached_tokens"),
        reasoning_output_tokens=field_of(field_of(usage, "output_tokens_details"), "reasoning_tokens"),
    )
