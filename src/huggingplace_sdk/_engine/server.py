"""server.address / server.port from a client's base URL (a string or an httpx-style URL object)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def server_of(base_url: Any) -> tuple[str | None, int | None]:
    """Host and port (the scheme's default port when none is given) of ``base_url``."""
    if base_url is None:
        return None, None
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
