"""Shared by the hooks: argument access, the server of a client, and the guarded-call helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Engine, report_internal_error

PROVIDER = "payman"
EngineRef = Callable[[], "Engine | None"]


def active_engine(engine_ref: EngineRef) -> Engine | None:
    engine = engine_ref()
    if engine is None or not engine.active or not is_instrumentation_enabled():
        return None
    return engine


def argument(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else None


def server_attributes(client: Any) -> dict[str, AttributeValue]:
    base_url = getattr(client, "base_url", None)
    if not isinstance(base_url, str):
        return {}
    parts = urlsplit(base_url)
    attributes: dict[str, AttributeValue] = {}
    if parts.hostname:
        attributes[sc.SERVER_ADDRESS] = parts.hostname
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    if port:
        attributes[sc.SERVER_PORT] = port
    return attributes


def guarded(site: str, action: Callable[..., None], *args: Any) -> None:
    """Run our own bookkeeping; a failure of it is reported, never raised at the caller (except in tests)."""
    try:
        action(*args)
    except Exception as exc:
        report_internal_error(site, exc)
