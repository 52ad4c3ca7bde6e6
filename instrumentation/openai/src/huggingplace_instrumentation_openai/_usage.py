"""openai usage objects (chat/completions and Responses API shapes) into the recorder."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import Recorder, field_of

_MISSING: Any = object()


def record_chat_usage(usage: Any, recorder: Recorder) -> None:
    """``prompt_tokens`` / ``completion_tokens`` with cached and reasoning details, as read: the recorder
    drops (and counts) values that are not token counts."""
    if usage is None:
        return
    input_tokens = getattr(usage, "prompt_tokens", _MISSING)
    if input_tokens is not _MISSING:  # the SDK's model (a mapping has no such attribute)
        prompt = getattr(usage, "prompt_tokens_details", None)
        completion = getattr(usage, "completion_tokens_details", None)
        recorder.set_usage(
            input_tokens=input_tokens,
            output_tokens=getattr(usage, "completion_tokens", None),
            cache_read_input_tokens=None if prompt is None else field_of(prompt, "cached_tokens"),
            reasoning_output_tokens=None if completion is None else field_of(completion, "reasoning_tokens"),
        )
        return
    recorder.set_usage(
        input_tokens=field_of(usage, "prompt_tokens"),
        output_tokens=field_of(usage, "completion_tokens"),
        cache_read_input_tokens=field_of(field_of(usage, "prompt_tokens_details"), "cached_tokens"),
        reasoning_output_tokens=field_of(field_of(usage, "completion_tokens_details"), "reasoning_tokens"),
    )


def record_responses_usage(usage: Any, recorder: Recorder) -> None:
    """Responses API ``input_tokens`` / ``output_tokens`` with cached and reasoning details."""
    if usage is None:
        return
    recorder.set_usage(
        input_tokens=field_of(usage, "input_tokens"),
        output_tokens=field_of(usage, "output_tokens"),
        cache_read_input_tokens=field_of(field_of(usage, "input_tokens_details"), "cached_tokens"),
        reasoning_output_tokens=field_of(field_of(usage, "output_tokens_details"), "reasoning_tokens"),
    )
