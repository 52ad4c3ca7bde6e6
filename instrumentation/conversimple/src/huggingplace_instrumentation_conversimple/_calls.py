"""Shared by the hooks: the active engine, argument access, guarded bookkeeping, scrubbed failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Engine, Operation, error_type_of, report_internal_error

from ._redact import scrub

PROVIDER = "conversimple"
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


def guarded(site: str, action: Callable[..., Any], *args: Any) -> Any:
    """Run our own bookkeeping; a failure of it is reported, never raised at the caller (except in tests)."""
    try:
        return action(*args)
    except Exception as exc:
        report_internal_error(site, exc)
        return None


def secrets_of(agent: Any) -> tuple[str, ...]:
    key = getattr(agent, "api_key", None)
    return (key,) if isinstance(key, str) and key else ()


def record_failure(operation: Operation, error: BaseException | str, secrets: tuple[str, ...]) -> None:
    """error.type and status; an exception's message scrubbed of credentials (URLs carry the key)."""
    if isinstance(error, str):
        operation.record_error(error)
        return
    error_type = error_type_of(error)
    operation.record_error(error_type)
    message = scrub(str(error), secrets)[:1024]
    operation.span.set_status(StatusCode.ERROR, message or None)
    operation.add_event(sc.EXCEPTION_EVENT, {sc.EXCEPTION_TYPE: error_type, sc.EXCEPTION_MESSAGE: message})
