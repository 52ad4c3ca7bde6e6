"""The OpenAI Responses API shape, read once: its finish reason and its usage (openai, litellm, the Agents SDK).

The Responses API has a status, not a finish reason, recorded for output index 0: ``completed`` ->
``"tool_calls"`` when the output holds a function/custom tool call, else ``"stop"``; ``incomplete`` ->
``incomplete_details.reason`` verbatim (``"incomplete"`` when absent); ``failed`` -> ``"error"``; ``cancelled``
-> ``"cancelled"``; ``queued`` / ``in_progress`` (background mode) -> none.
"""

from __future__ import annotations

from typing import Any

from .fields import field_of, items_of
from .spec import Recorder

RESPONSES_TOOL_CALL_ITEMS = frozenset({"function_call", "custom_tool_call"})


def responses_finish_reason(response: Any) -> str | None:
    status = field_of(response, "status")
    if status == "completed":
        items = items_of(field_of(response, "output"))
        return "tool_calls" if any(field_of(item, "type") in RESPONSES_TOOL_CALL_ITEMS for item in items) else "stop"
    if status == "incomplete":
        reason = field_of(field_of(response, "incomplete_details"), "reason")
        return reason if isinstance(reason, str) and reason else "incomplete"
    return {"failed": "error", "cancelled": "cancelled"}.get(str(status))


def record_responses_usage(usage: Any, recorder: Recorder) -> None:
    """``input_tokens`` / ``output_tokens`` with cached and reasoning details, as read: the recorder drops (and
    counts) values that are not token counts."""
    if usage is None:
        return
    recorder.set_usage(
        input_tokens=field_of(usage, "input_tokens"),
        output_tokens=field_of(usage, "output_tokens"),
        cache_read_input_tokens=field_of(field_of(usage, "input_tokens_details"), "cached_tokens"),
        reasoning_output_tokens=field_of(field_of(usage, "output_tokens_details"), "reasoning_tokens"),
    )
