"""Reading request parameters that may be plain dicts (TypedDict params) or mistralai model objects."""

from __future__ import annotations

from typing import Any


def field(obj: Any, name: str) -> Any:
    """``obj[name]`` for a mapping, ``obj.name`` otherwise; None when absent or UNSET."""
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    # mistralai marks omitted optional fields with an ``Unset`` sentinel object.
    return None if type(value).__name__ == "Unset" else value


def number(value: Any) -> int | float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def integer(value: Any) -> int | None:
    return int(value) if number(value) is not None else None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

