"""Reading request parameters that may be plain dicts (TypedDict params) or SDK model objects."""

from __future__ import annotations

from typing import Any


def field(obj: Any, name: str) -> Any:
    """``obj[name]`` for a mapping, ``obj.name`` otherwise; None when absent."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def number(value: Any) -> int | float | None:
    """The value when it is a real number; SDK sentinels (NOT_GIVEN, omit) and bools give None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def strings(value: Any) -> list[str] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    return None

