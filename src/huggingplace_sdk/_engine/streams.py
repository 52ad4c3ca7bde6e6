"""Stream observation: every exit path of a sync or async stream ends its span exactly once.

Vendor stream objects are observed IN PLACE (their internal iterator is swapped for an observing one and
their close methods are shadowed on the instance), so ``type(result)`` and every method of the vendor's
stream stay as they were. Paths and outcomes:

=====================================  =========================================================
full drain                             completed
close()/aclose(), leaving ``with``     closed_early (or the exception's class / cancelled when
                                       leaving ``with`` because of an exception)
break, then garbage collection         abandoned (ERROR)
never iterated, then collected         abandoned (ERROR), via weakref.finalize
provider error mid-stream              error, error.type = the exception's class
asyncio.CancelledError / timeout       cancelled (ERROR)
=====================================  =========================================================

A plain generator result is wrapped in a generator of the same kind: the caller's close()/aclose() counts as
closed_early (or as the exception's end when it closes while handling one, as leaving ``with closing(...)``
because of an error does); collection without close is abandoned (a weakref callback runs before the generator's own
finalizer, which is how the two are told apart).
"""

from __future__ import annotations

import inspect
import types
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .invocation import Invocation

_ITERATOR_ATTRIBUTES = ("_iterator", "generator")
_GENERATOR_TYPES = (types.GeneratorType, types.AsyncGeneratorType)
_CLOSE_METHODS = ("close", "aclose")


def _closed_by_caller(invocation: Invocation, closing: GeneratorExit) -> None:
    # Closed while the caller was handling an exception (leaving ``with closing(stream)`` because of it):
    # that exception ended the stream. A plain close() or break has no such context.
    cause = closing.__context__
    if cause is not None:
        invocation.stream_failed(cause)
    else:
        invocation.end(outcome="closed_early")


def _observing(invocation: Invocation, inner: Iterator[Any], closes_inner: bool) -> Iterator[Any]:
    on_chunk = invocation.on_chunk
    try:
        for chunk in inner:
            if on_chunk(chunk):
                yield chunk
    except GeneratorExit as closing:
        if closes_inner:
            _closed_by_caller(invocation, closing)
            close = getattr(inner, "close", None)
            if close is not None:
                close()
        else:
            invocation.stream_abandoned()
        raise
    except BaseException as exc:
        invocation.stream_failed(exc)
        raise
    invocation.stream_completed()


async def _observing_async(invocation: Invocation, inner: AsyncIterator[Any],
                           closes_inner: bool) -> AsyncIterator[Any]:
    on_chunk = invocation.on_chunk
    try:
        async for chunk in inner:
            if on_chunk(chunk):
                yield chunk
    except GeneratorExit as closing:
        if closes_inner:
            _closed_by_caller(invocation, closing)
            aclose = getattr(inner, "aclose", None)
            if aclose is not None:
                await aclose()
        else:
            invocation.stream_abandoned()
        raise
    except BaseException as exc:
        invocation.stream_failed(exc)
        raise
    invocation.stream_completed()


def observe_iterator(invocation: Invocation, iterator: Any) -> Any:
    """Wrap a plain (async) iterator or generator in an observing generator of the same kind."""
    if hasattr(iterator, "__anext__"):
        wrapper: Any = _observing_async(invocation, iterator, closes_inner=True)
    else:
        wrapper = _observing(invocation, iter(iterator), closes_inner=True)
    invocation._finalizer = weakref.finalize(wrapper, invocation.stream_abandoned)
    return wrapper


def observe_in_place(invocation: Invocation, obj: Any, iterator_attr: str | None = None) -> Any:
    """Observe a vendor stream object without replacing it; returns ``obj`` itself."""
    if isinstance(obj, _GENERATOR_TYPES):
        return observe_iterator(invocation, obj)
    attr = iterator_attr or next((a for a in _ITERATOR_ATTRIBUTES if hasattr(obj, a)), None)
    if attr is None:
        raise TypeError(f"cannot observe a {type(obj).__qualname__} in place: no iterator attribute")
    inner = getattr(obj, attr)
    if hasattr(inner, "__anext__"):
        setattr(obj, attr, _observing_async(invocation, inner, closes_inner=False))
    else:
        setattr(obj, attr, _observing(invocation, inner, closes_inner=False))
    for name in _CLOSE_METHODS:
        hook_close(invocation, obj, name)
    invocation._finalizer = weakref.finalize(obj, invocation.stream_abandoned)
    return obj


# Per (stream type, method name): the class's close method and whether it is a coroutine function.
_close_methods: dict[tuple[type, str], tuple[Any, bool]] = {}


def _close_method(kind: type, name: str) -> tuple[Any, bool]:
    known = _close_methods.get((kind, name))
    if known is None:
        method = getattr(kind, name, None)
        known = (method, inspect.iscoroutinefunction(method)) if callable(method) else (None, False)
        if len(_close_methods) < 1024:  # a bound, in case types are made on the fly
            _close_methods[(kind, name)] = known
    return known


def hook_close(invocation: Invocation, obj: Any, name: str) -> None:
    """Shadow ``obj.<name>`` on the instance so that the caller closing it ends the span first.

    The shadow holds only a weak reference to ``obj``: no cycle, so collection still ends abandoned streams.
    """
    method, is_async = _close_method(type(obj), name)
    if method is None:
        return
    owner = weakref.ref(obj)
    closed = invocation.stream_closed_by_caller
    if is_async:
        async def async_shadow(*args: Any, **kwargs: Any) -> Any:
            closed()
            target = owner()
            return None if target is None else await method(target, *args, **kwargs)

        setattr(obj, name, async_shadow)
    else:
        def shadow(*args: Any, **kwargs: Any) -> Any:
            closed()
            target = owner()
            return None if target is None else method(target, *args, **kwargs)

        setattr(obj, name, shadow)
