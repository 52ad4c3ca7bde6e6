"""The plan response (``RestClient.submit_query``) names the session before anything else can fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Engine, report_internal_error

from ._current import own_current_span

EngineRef = Callable[[], "Engine | None"]


def make_plan_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    async def submit(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        response = await wrapped(*args, **kwargs)
        engine = engine_ref()
        if engine is not None and engine.active:
            try:
                span = own_current_span()
                if span is not None and isinstance(response, dict):
                    session_id = response.get("session_id")
                    if isinstance(session_id, str):
                        span.set_attribute(sc.SESSION_ID, session_id)
                        span.set_attribute(sc.GEN_AI_CONVERSATION_ID, session_id)
                    status = response.get("status")
                    if isinstance(status, str):
                        span.set_attribute(sc.HP_TBUDDY_STATUS, status)
            except Exception as exc:
                report_internal_error("tbuddy.plan", exc)
        return response

    return submit
