"""Reading openai values uniformly: pydantic models or plain dicts, and the SDK's "not given" sentinels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

# openai marks omitted arguments with these sentinels (falsy objects); helpers such as ``stream()`` pass
# every argument explicitly, so an omitted one arrives as a sentinel rather than being absent.
_SENTINELS = frozenset({"NotGiven", "Omit"})


def given(value: Any) -> Any:
    """``value``, or ``None`` when it is an openai "not given" sentinel."""
    if value is None or type(value).__name__ in _SENTINELS:
        return None
    return value


def arg(kwargs: Mapping[str, Any], name: str) -> Any:
    """A call argument, ``None`` when absent or not given.

    Falls back to ``extra_body``, where callers put parameters their SDK release does not name yet (the
    value is sent all the same).
    """
    value = given(kwargs.get(name))
    if value is None:
        extra = given(kwargs.get("extra_body"))
        if isinstance(extra, Mapping):
            value = given(extra.get(name))
    return value


def field(obj: Any, name: str) -> Any:
    """``obj.name`` for SDK models, ``obj[name]`` for dicts (``parse(to=dict)``, raw JSON), else ``None``."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


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
    value = given(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def server_of(instance: Any) -> tuple[str | None, int | None]:
    """Host and port from the resource's client ``base_url`` (the default port of its scheme if absent)."""
    client = getattr(instance, "_client", None)
    url = getattr(client, "base_url", None)
    host = getattr(url, "host", None)
    if not isinstance(host, str) or not host:
        return None, None
    port = getattr(url, "port", None)
    if not isinstance(port, int):
        port = {"https": 443, "http": 80}.get(str(getattr(url, "scheme", "")))
    return host, port
