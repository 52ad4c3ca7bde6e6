"""Reading openai call arguments: strict number/str coercion, ``extra_body`` fallbacks, the server address.

Attribute-or-key access and the "not given" sentinels are the engine's (``field_of``, ``given_value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk.engine import given_value, strings_of
from huggingplace_sdk.engine import server_of as _server_of_url

# openai marks omitted arguments with sentinels (falsy objects); helpers such as ``stream()`` pass every
# argument explicitly, so an omitted one arrives as a sentinel rather than being absent (``given_value``).


def arg(kwargs: Mapping[str, Any], name: str) -> Any:
    """A call argument, ``None`` when absent or not given.

    Falls back to ``extra_body``, where callers put parameters their SDK release does not name yet (the
    value is sent all the same).
    """
    value = given_value(kwargs.get(name))
    if value is None and "extra_body" in kwargs:
        extra = given_value(kwargs["extra_body"])
        if isinstance(extra, Mapping):
            value = given_value(extra.get(name))
    return value


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def put(attributes: dict[str, AttributeValue], key: str, value: AttributeValue | None) -> None:
    if value is not None:
        attributes[key] = value


def string_list(value: Any) -> list[str] | None:
    """A stop-sequence style argument (a string or a list of strings) as a list."""
    return strings_of(given_value(value))


def server_of(instance: Any) -> tuple[str | None, int | None]:
    """Host and port from the resource's client ``base_url`` (the default port of its scheme if absent)."""
    client = getattr(instance, "_client", None)
    # openai 3.x's ``base_url`` property runs an import statement on every read; the attribute behind it
    # does not.
    url = getattr(client, "_base_url", None)
    return _server_of_url(url if url is not None else getattr(client, "base_url", None))
