"""The plan response (``RestClient.submit_query``) names the session before anything else can fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import EngineRef, guarded

from ._codecs import session_attributes
from ._current import own_current_span


def make_plan_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    async def submit(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        response = await wrapped(*args, **kwargs)
        if engine_ref() is not None:
            guarded("tbuddy.plan", _record_plan, response)
        return response

    return submit


def _record_plan(response: Any) -> None:
    span = own_current_span()
    if span is None or not isinstance(response, dict):
        return
    span.set_attributes(session_attributes(response.get("session_id")))
    status = response.get("status")
    if isinstance(status, str):
        span.set_attribute(sc.HP_TBUDDY_STATUS, status)
