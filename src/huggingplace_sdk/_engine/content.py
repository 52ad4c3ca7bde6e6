"""Content policy: whether prompts and completions are captured, redaction, and the byte budget."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from .values import repaired_text

# redact(kind, value) -> value; kind is one of the CONTENT_KINDS. It sees the structured messages (tool-call
# arguments included) before they are serialized, and returns what may be recorded.
Redactor = Callable[[str, Any], Any]
CONTENT_KINDS = ("input_messages", "output_messages", "system_instructions", "tool_definitions",
                 "tool_call_arguments", "tool_call_result", "retrieval_query", "retrieval_documents")
DEFAULT_MAX_CONTENT_BYTES = 32 * 1024
_TRUNCATION_MARK = "…[truncated]"


class ContentPolicy(NamedTuple):  # not a dataclass: that costs about 1 ms at import
    capture: bool = False
    redact: Redactor | None = None
    max_bytes: int = DEFAULT_MAX_CONTENT_BYTES

    def serialize(self, kind: str, value: Any) -> tuple[str, int | None]:
        """JSON for one content attribute, and the original size in bytes when it had to be truncated."""
        if self.redact is not None:
            value = self.redact(kind, value)
        text = _dumps(value)
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            # A lone UTF-16 surrogate (e.g. an emoji split across stream chunks): repaired with U+FFFD in
            # the JSON text itself, which stays valid JSON, and in the value truncation works on.
            text = repaired_text(text)
            value = json.loads(text)
            size = len(text.encode("utf-8"))
        if size <= self.max_bytes:
            return text, None
        return _truncate(value, self.max_bytes), size


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _cap_strings(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + _TRUNCATION_MARK
    if isinstance(value, list):
        return [_cap_strings(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: _cap_strings(v, limit) for k, v in value.items()}
    return value


def _fits(value: Any, budget: int) -> str | None:
    text = _dumps(value)
    return text if len(text.encode("utf-8")) <= budget else None


def _truncate(value: Any, budget: int) -> str:
    """Shorten strings (binary search on a per-string cap), then drop trailing items; always valid JSON."""
    low, high, best = 0, max(_longest_string(value), 1), None
    while low <= high:
        mid = (low + high) // 2
        text = _fits(_cap_strings(value, mid), budget)
        if text is not None:
            best, low = text, mid + 1
        else:
            high = mid - 1
    if best is not None:
        return best
    items = _cap_strings(value, 0)
    if isinstance(items, list):
        while items:
            items = items[:-1]
            text = _fits(items, budget)
            if text is not None:
                return text
        return "[]"
    return _dumps(_TRUNCATION_MARK) if len(_TRUNCATION_MARK.encode()) + 2 <= budget else '""'


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    if isinstance(value, dict):
        return max((_longest_string(v) for v in value.values()), default=0)
    return 0
