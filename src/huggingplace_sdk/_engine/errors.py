"""Recording a failure on a span: error.type, status and an exception event, with credentials scrubbed.

Vendor exceptions can carry URLs with keys or tokens in their text; nothing of that reaches a span.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable

from opentelemetry.trace import Span, StatusCode

from .. import _semconv as sc
from .secrets import scrub_secrets
from .values import repaired_text

_MAX_MESSAGE = 1024
_MAX_STACKTRACE = 8192


def is_cancellation(exc: BaseException) -> bool:
    """``asyncio.CancelledError``, looked up rather than imported: importing asyncio would cost every app's
    start-up, and without asyncio imported there is no such error."""
    asyncio = sys.modules.get("asyncio")
    return asyncio is not None and isinstance(exc, asyncio.CancelledError)


def error_type_of(exc: BaseException) -> str:
    """error.type: ``cancelled`` for cancellation, else the exception's fully qualified class name."""
    if is_cancellation(exc):
        return sc.ERROR_CANCELLED
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def record_error(span: Span, error: BaseException | str, *, secrets: Iterable[str | None] = (),
                 with_message: bool = True, escaped: bool = False) -> None:
    """Mark ``span`` failed. A string ``error`` is an error.type of our own (``abandoned``, ``task_failed``)."""
    if isinstance(error, str):
        span.set_attribute(sc.ERROR_TYPE, error)
        span.set_status(StatusCode.ERROR)
        return
    error_type = error_type_of(error)
    span.set_attribute(sc.ERROR_TYPE, error_type)
    secrets = tuple(secrets)
    # A vendor error body may hold text that cannot be encoded (a lone surrogate): repaired, never lost.
    message = repaired_text(scrub_secrets(str(error), secrets)[:_MAX_MESSAGE]) if with_message else ""
    span.set_status(StatusCode.ERROR, message or None)
    attributes: dict[str, str | bool] = {sc.EXCEPTION_TYPE: error_type, sc.EXCEPTION_ESCAPED: escaped}
    if with_message:
        attributes[sc.EXCEPTION_MESSAGE] = message
        stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        attributes[sc.EXCEPTION_STACKTRACE] = repaired_text(scrub_secrets(stack, secrets)[-_MAX_STACKTRACE:])
    span.add_event(sc.EXCEPTION_EVENT, attributes)
