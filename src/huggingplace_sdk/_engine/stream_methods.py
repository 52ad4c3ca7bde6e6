"""Streams whose iteration lives on their class (``__next__`` / ``__anext__`` methods, no inner iterator).

Python looks dunder methods up on the type, so such a stream cannot be observed by swapping an instance
attribute (what ``streams.observe_in_place`` does). Instead the class's ``__next__`` / ``__anext__`` are wrapped
once, by the :class:`Hook` s of :func:`stream_method_hooks`; a traced stream carries its invocation in its
``__dict__`` and the wrapper reports each chunk and the end to it. Untraced streams of the class pay one dict
lookup per chunk. Exit paths and outcomes are those of ``streams.py``: drained (completed), ``close()`` /
``aclose()`` / leaving ``with`` (closed_early, or the error), collected unfinished (abandoned), an error
raised by the stream (error, or cancelled).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .spec import EngineRef, Hook
from .streams import _close_method

if TYPE_CHECKING:
    from .invocation import Invocation

_STATE = "_huggingplace_stream"


class _Observed:
    """A traced stream's invocation, and whether the stream is inside its own ``__next__``/``__anext__``
    (where a ``close()`` is the stream ending itself, not the caller leaving)."""

    __slots__ = ("invocation", "iterating")

    def __init__(self, invocation: Invocation) -> None:
        self.invocation = invocation
        self.iterating = False


def observe_stream_methods(invocation: Invocation, stream: Any) -> Any:
    """Trace ``stream`` (whose class is hooked by :func:`stream_method_hooks`) in place; returns it."""
    state = _Observed(invocation)
    vars(stream)[_STATE] = state  # TypeError for a __slots__ class: the guard reports it
    for name in ("close", "aclose"):
        _shadow_close(stream, name)
    invocation._finalizer = weakref.finalize(stream, invocation.stream_abandoned)
    return stream


def _shadow_close(stream: Any, name: str) -> None:
    """``stream.<name>`` on the instance: the caller closing the stream ends the span first. Holds the stream
    weakly (no cycle, so collection still ends an abandoned stream)."""
    method, is_async = _close_method(type(stream), name)
    if method is None:
        return
    owner = weakref.ref(stream)

    def closing() -> Any:
        target = owner()
        state = _state_of(target)
        if state is not None and not state.iterating:
            state.invocation.stream_closed_by_caller()
        return target

    if is_async:
        async def async_shadow(*args: Any, **kwargs: Any) -> Any:
            target = closing()
            return None if target is None else await method(target, *args, **kwargs)

        setattr(stream, name, async_shadow)
    else:
        def shadow(*args: Any, **kwargs: Any) -> Any:
            target = closing()
            return None if target is None else method(target, *args, **kwargs)

        setattr(stream, name, shadow)


def _state_of(stream: Any) -> _Observed | None:
    values = getattr(stream, "__dict__", None)
    state: _Observed | None = values.get(_STATE) if values is not None else None
    return None if state is None or state.invocation.ended else state


def _next_wrapper(engine: EngineRef) -> Callable[..., Any]:
    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        state = _state_of(instance)
        if state is None:
            return wrapped(*args, **kwargs)
        state.iterating = True
        try:
            chunk = wrapped(*args, **kwargs)
        except StopIteration:
            state.invocation.stream_completed()
            raise
        except BaseException as exc:
            state.invocation.stream_failed(exc)
            raise
        finally:
            state.iterating = False
        state.invocation.on_chunk(chunk)
        return chunk

    return wrapper


def _anext_wrapper(engine: EngineRef) -> Callable[..., Any]:
    async def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        state = _state_of(instance)
        if state is None:
            return await wrapped(*args, **kwargs)
        state.iterating = True
        try:
            chunk = await wrapped(*args, **kwargs)
        except StopAsyncIteration:
            state.invocation.stream_completed()
            raise
        except BaseException as exc:
            state.invocation.stream_failed(exc)
            raise
        finally:
            state.iterating = False
        state.invocation.on_chunk(chunk)
        return chunk

    return wrapper


def stream_method_hooks(module: str, class_name: str, *, sync: bool = True, is_async: bool = True) -> list[Hook]:
    """The hooks that let :func:`observe_stream_methods` trace instances of ``module.class_name``."""
    hooks = []
    if sync:
        hooks.append(Hook(module, f"{class_name}.__next__", _next_wrapper))
    if is_async:
        hooks.append(Hook(module, f"{class_name}.__anext__", _anext_wrapper))
    return hooks
