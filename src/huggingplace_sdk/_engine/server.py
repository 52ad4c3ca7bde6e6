"""server.address / server.port from a client's base URL (a string or an httpx-style URL object)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


# Clients keep one base URL object for their lifetime: its host and port are read once. Entries hold the URL
# itself, so an id is never reused while its entry lives; the bound keeps short-lived clients from growing it.
_parsed: dict[int, tuple[Any, tuple[str | None, int | None]]] = {}
_MAX_PARSED = 256


def server_of(base_url: Any) -> tuple[str | None, int | None]:
    """Host and port (the scheme's default port when none is given) of ``base_url``."""
    if base_url is None:
        return None, None
    entry = _parsed.get(id(base_url))
    if entry is not None and entry[0] is base_url:
        return entry[1]
    server = _parse(base_url)
    if len(_parsed) >= _MAX_PARSED:
        _parsed.clear()
    _parsed[id(base_url)] = (base_url, server)
    return server


def _parse(base_url: Any) -> tuple[str | None, int | None]:
    host = getattr(base_url, "host", None)
    if isinstance(host, str):
        port = getattr(base_url, "port", None)
        scheme = str(getattr(base_url, "scheme", ""))
    else:
        try:
            parts = urlsplit(str(base_url))
            host, port, scheme = parts.hostname, parts.port, parts.scheme
        except ValueError:
            return None, None
    if not host:
        return None, None
    if not isinstance(port, int):
        port = _DEFAULT_PORTS.get(scheme)
    return host, port


def server_attributes(base_url: Any) -> dict[str, AttributeValue]:
    host, port = server_of(base_url)
    attributes: dict[str, AttributeValue] = {}
    if host:
        attributes[sc.SERVER_ADDRESS] = host
    if port:
        attributes[sc.SERVER_PORT] = port
    return attributes
