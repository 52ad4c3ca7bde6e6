"""Values read from vendor responses, checked before they reach a span attribute or a metric.

A malformed response (a field of the wrong type, an absurd token count, text holding a lone UTF-16
surrogate such as half of an emoji split across stream chunks) must neither fail the end of the call nor
reach an exporter that cannot encode it. Rejected values are dropped and counted by field; text that cannot
be encoded as UTF-8 is repaired with U+FFFD where it is recorded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from opentelemetry.util.types import AttributeValue

# OTLP carries integers as int64: a token count outside [0, 2**63 - 1] is nonsense and not recorded.
MAX_TOKEN_COUNT = 2**63 - 1
_MIN_INT64 = -(2**63)
REPLACEMENT_CHARACTER = "\ufffd"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_lock = threading.Lock()
_rejected: dict[str, int] = {}


def rejected_value_counts() -> dict[str, int]:
    """How many response values were dropped as malformed, by field (for tests and diagnostics)."""
    with _lock:
        return dict(_rejected)


def count_rejected(field: str) -> None:
    with _lock:
        _rejected[field] = _rejected.get(field, 0) + 1


def repaired_text(text: str) -> str:
    """``text`` itself when it encodes as UTF-8; else each lone surrogate replaced with U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text)
    return text


def checked_text(value: Any) -> str | None:
    """A non-empty string, repaired; None for anything else (the caller counts it when it was given)."""
    if type(value) is str or isinstance(value, str):
        return repaired_text(value) if value else None
    return None


def checked_token_count(value: Any) -> int | None:
    """A token count: an int (or an integral float) in [0, 2**63 - 1]; None otherwise (bools included)."""
    if type(value) is int:
        return value if 0 <= value <= MAX_TOKEN_COUNT else None
    if type(value) is float and value.is_integer() and 0 <= value <= MAX_TOKEN_COUNT:
        return int(value)
    return None


def _checked_scalar(value: Any) -> Any:
    if isinstance(value, str):
        return repaired_text(value)
    if isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if _MIN_INT64 <= value <= MAX_TOKEN_COUNT else None
    return None


def checked_attribute(value: Any) -> AttributeValue | None:
    """A valid OpenTelemetry attribute value (strings repaired, ints within int64, homogeneous sequences of
    scalars); None when ``value`` cannot be one."""
    if isinstance(value, (str, bool, int, float)):
        return _checked_scalar(value)  # type: ignore[no-any-return]
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items = [_checked_scalar(item) for item in value]
        if items and (None in items or len({type(item) for item in items}) != 1):
            return None
        return items
    return None
