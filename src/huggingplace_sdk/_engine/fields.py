"""Reading vendor values uniformly: SDK model objects or plain dicts, real numbers, "not given" sentinels.

Shared by the LLM adapters' codecs. Stream codecs on a per-chunk hot path may read attributes directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

# Generated SDKs mark omitted arguments with sentinel objects rather than None: Stainless (openai,
# anthropic) uses NotGiven / Omit, Speakeasy (mistralai) uses Unset, Fern (cohere) uses ``...`` (its OMIT,
# of type ellipsis). Matched by type name so that no vendor package is imported here.
_UNSET_TYPES = frozenset({"NotGiven", "Omit", "Unset", "ellipsis"})


def given_value(value: Any) -> Any:
    """``value``, or None when it is an SDK "not given" sentinel."""
    if value is None or type(value).__name__ in _UNSET_TYPES:
        return None
    return value


_ABSENT = object()

# Per type: is it a Mapping? The ABC check runs Python code on each call; a dict lookup by type does not.
_mapping_types: dict[type, bool] = {dict: True}


def is_mapping(obj: Any) -> bool:
    """``isinstance(obj, Mapping)``, cheap enough for a per-chunk path (memoized per type)."""
    kind = type(obj)
    known = _mapping_types.get(kind)
    if known is None:
        known = isinstance(obj, Mapping)
        if len(_mapping_types) < 1024:  # a bound, in case types are made on the fly
            _mapping_types[kind] = known
    return known


def field_of(obj: Any, name: str) -> Any:
    """``obj[name]`` for a mapping, ``obj.name`` otherwise; None when absent or not given."""
    if isinstance(obj, dict):  # the common cases first: the ABC check of Mapping costs more
        value = obj.get(name)
    else:
        value = getattr(obj, name, _ABSENT)
        if value is _ABSENT:
            value = obj.get(name) if is_mapping(obj) else None
    if value is None or type(value).__name__ in _UNSET_TYPES:
        return None
    return value


def items_of(value: Any) -> list[Any] | tuple[Any, ...]:
    """A response's list (choices, content blocks, tool calls ...) when it is one; else empty, so that a
    malformed field (an object, a string, a number) is skipped rather than iterated or raising."""
    return value if isinstance(value, (list, tuple)) else ()


def number_of(value: Any) -> int | float | None:
    """The value when it is a real number; sentinels and bools give None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def integer_of(value: Any) -> int | None:
    """A real number as an int (token counts); None otherwise."""
    return int(value) if number_of(value) is not None else None


def text_of(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def strings_of(value: Any) -> list[str] | None:
    """A stop-sequence style value: a string, or a list or tuple of strings, as a list; else None."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def number_attributes(values: Mapping[str, Any], names: Iterable[tuple[str, str]]) -> dict[str, AttributeValue]:
    """``{attribute: value}`` for each ``(key, attribute)`` of ``names`` whose value is a real number."""
    attributes: dict[str, AttributeValue] = {}
    for key, attribute in names:
        value = number_of(values.get(key))
        if value is not None:
            attributes[attribute] = value
    return attributes
