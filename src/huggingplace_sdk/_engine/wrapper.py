"""The function wrappers the engine installs around vendor methods."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context

from .guard import report_internal_error
from .spec import Call, Target

if TYPE_CHECKING:
    from .engine import Engine
    from .invocation import Invocation

# Set while an engine-wrapped call runs, to the task (or thread) running it: a wrapped method reached from
# inside another one in the same task (a subclass calling super(), a helper calling create) passes through,
# so one call never gives two spans. Tasks and threads started during the call inherit the context but are
# other owners, so their own calls are still traced. The value is (owner, engine of the call).
_inside_call: ContextVar[tuple[object, Engine] | None] = ContextVar("huggingplace_inside_call", default=None)


def _owner() -> object:
    # _get_running_loop() is asyncio's cheap C accessor; current_task() without a loop would raise.
    loop = asyncio._get_running_loop()
    task = asyncio.current_task(loop) if loop is not None else None
    return task if task is not None else threading.get_ident()


def inside_wrapped_call() -> bool:
    current = _inside_call.get()
    return current is not None and current[0] == _owner()


def wrapped_call_engine() -> Engine | None:
    """The engine whose wrapped call is in progress in this task (or thread), if any."""
    current = _inside_call.get()
    return current[1] if current is not None and current[0] == _owner() else None


EngineRef = Callable[[], "Engine | None"]


_SUPPRESS_KEY = otel_context._SUPPRESS_INSTRUMENTATION_KEY
_LEGACY_SUPPRESS_KEY = "suppress_instrumentation"


def _suppressed() -> bool:
    current = otel_context.get_current()
    return bool(current.get(_SUPPRESS_KEY) or current.get(_LEGACY_SUPPRESS_KEY))


def active_engine(engine: Engine | None) -> Engine | None:
    """``engine`` if it is active and instrumentation is not suppressed here, else None."""
    if engine is None or not engine.active or _suppressed():
        return None
    return engine


def _start(engine_ref: EngineRef, target: Target, instance: Any, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> tuple[Invocation, Call, tuple[object, Engine]] | None:
    """The call's invocation, and the value of ``_inside_call`` while it runs; None to call through."""
    engine = active_engine(engine_ref())
    if engine is None:
        return None
    owner = _owner()
    current = _inside_call.get()
    if current is not None and current[0] == owner:
        return None  # reached from inside another wrapped call of this task: that call has the span
    # The codec gets the caller's own kwargs: one that changes them replaces the dict, never mutates it.
    call = Call(instance, args, kwargs, engine.call_options)
    invocation = engine.begin(target.codec, call)
    return None if invocation is None else (invocation, call, (owner, engine))


def _handle_result(target: Target, invocation: Invocation, result: Any) -> Any:
    try:
        if target.result_handler is not None:
            return target.result_handler(result, invocation)
        if invocation.request.stream:
            return invocation.observe(result)
        invocation.finish(result)
    except Exception as exc:
        invocation.end()
        report_internal_error("result", exc)
    return result


def _filtered(traced: Callable[..., Any], target: Target) -> Callable[..., Any]:
    """``traced`` behind the target's ``applies`` filter (targets without one keep the bare wrapper)."""
    applies = target.applies
    if applies is None:
        return traced
    if target.is_async:
        async def async_filter(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                               kwargs: dict[str, Any]) -> Any:
            if not applies(instance, args, kwargs):
                return await wrapped(*args, **kwargs)
            return await traced(wrapped, instance, args, kwargs)

        return async_filter

    def sync_filter(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
        if not applies(instance, args, kwargs):
            return wrapped(*args, **kwargs)
        return traced(wrapped, instance, args, kwargs)

    return sync_filter


def make_sync_wrapper(engine_ref: EngineRef, target: Target) -> Callable[..., Any]:
    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        started = _start(engine_ref, target, instance, args, kwargs)
        if started is None:
            return wrapped(*args, **kwargs)
        invocation, call, inside_value = started
        token = otel_context.attach(invocation.context)
        inside = _inside_call.set(inside_value)
        try:
            result = wrapped(*call.args, **call.kwargs)
        except BaseException as exc:
            invocation.fail(exc)
            raise
        finally:
            _inside_call.reset(inside)
            otel_context.detach(token)
        return _handle_result(target, invocation, result)

    return _filtered(wrapper, target)


def make_async_wrapper(engine_ref: EngineRef, target: Target) -> Callable[..., Any]:
    async def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        started = _start(engine_ref, target, instance, args, kwargs)
        if started is None:
            return await wrapped(*args, **kwargs)
        invocation, call, inside_value = started
        token = otel_context.attach(invocation.context)
        inside = _inside_call.set(inside_value)
        try:
            result = await wrapped(*call.args, **call.kwargs)
        except BaseException as exc:
            invocation.fail(exc)
            raise
        finally:
            _inside_call.reset(inside)
            otel_context.detach(token)
        return _handle_result(target, invocation, result)

    return _filtered(wrapper, target)
