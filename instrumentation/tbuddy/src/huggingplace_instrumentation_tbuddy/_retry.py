"""The SDK's own retries (``RetryHandler.execute``) as events on the span of the call that retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import EngineRef, error_type_of, guarded

from ._current import own_current_span


def _retry_event(attempt: int, operation: Any, error: BaseException | None) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {sc.HP_TBUDDY_RETRY_ATTEMPT: attempt}
    if isinstance(operation, str):
        attributes[sc.HP_TBUDDY_RETRY_OPERATION] = operation
    if error is not None:
        attributes[sc.ERROR_TYPE] = error_type_of(error)
        status = getattr(getattr(error, "response", None), "status_code", None)
        if isinstance(status, int):
            attributes[sc.HTTP_RESPONSE_STATUS_CODE] = status
    return attributes


def _record_retry(attempt: int, operation: Any, error: BaseException | None) -> None:
    span = own_current_span()
    if span is not None:
        span.add_event(sc.TBUDDY_EVENT_RETRY, _retry_event(attempt, operation, error))


def make_execute_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    """Wraps ``RetryHandler.execute(func, *args, operation=..., **kwargs)``: counts calls of ``func``."""

    async def execute(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        if engine_ref() is None or not args or own_current_span() is None:
            return await wrapped(*args, **kwargs)
        func, operation = args[0], kwargs.get("operation")
        attempts = 0
        last_error: BaseException | None = None

        async def attempt(*call_args: Any, **call_kwargs: Any) -> Any:
            nonlocal attempts, last_error
            attempts += 1
            if attempts > 1:
                guarded("tbuddy.retry", _record_retry, attempts - 1, operation, last_error)
            try:
                return await func(*call_args, **call_kwargs)
            except BaseException as exc:
                last_error = exc
                raise

        return await wrapped(attempt, *args[1:], **kwargs)

    return execute
