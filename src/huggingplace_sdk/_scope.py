"""One base for context managers that also decorate sync, async, generator and async-generator functions.

A decorated generator has its scope active only while its own body runs (between resumptions), never
while the caller holds it suspended.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Generic, TypeVar

State = TypeVar("State")
Token = Any
F = TypeVar("F", bound=Callable[..., Any])


class Scope(Generic[State]):
    """Subclasses implement _open/_activate/_deactivate/_close; instances may be used many times."""

    def _open(self) -> State:
        raise NotImplementedError

    def _activate(self, state: State) -> Token:
        raise NotImplementedError

    def _deactivate(self, token: Token) -> None:
        raise NotImplementedError

    def _close(self, state: State, error: BaseException | None) -> None:
        raise NotImplementedError

    # --- with / async with ---------------------------------------------------------------------------
    def __enter__(self) -> State:
        state = self._open()
        self.__dict__.setdefault("_stack", []).append((state, self._activate(state)))
        return state

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        state, token = self.__dict__["_stack"].pop()
        self._deactivate(token)
        self._close(state, exc)

    async def __aenter__(self) -> State:
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self.__exit__(exc_type, exc, tb)

    # --- decorator ----------------------------------------------------------------------------------------
    def __call__(self, fn: F) -> F:
        if inspect.isasyncgenfunction(fn):
            return functools.wraps(fn)(self._async_generator(fn))  # type: ignore[return-value]
        if inspect.isgeneratorfunction(fn):
            return functools.wraps(fn)(self._generator(fn))  # type: ignore[return-value]
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                state = self._open()
                token = self._activate(state)
                error: BaseException | None = None
                try:
                    return await fn(*args, **kwargs)
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    self._deactivate(token)
                    self._close(state, error)

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            state = self._open()
            token = self._activate(state)
            error: BaseException | None = None
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                error = exc
                raise
            finally:
                self._deactivate(token)
                self._close(state, error)

        return run  # type: ignore[return-value]

    def _generator(self, fn: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            state = self._open()
            error: BaseException | None = None
            token = self._activate(state)
            try:
                inner = fn(*args, **kwargs)
            finally:
                self._deactivate(token)
            try:
                sent: Any = None
                thrown: BaseException | None = None
                while True:
                    token = self._activate(state)
                    try:
                        item = inner.throw(thrown) if thrown is not None else inner.send(sent)
                    except StopIteration as stop:
                        return stop.value
                    finally:
                        self._deactivate(token)
                    sent, thrown = None, None
                    try:
                        sent = yield item
                    except GeneratorExit:
                        token = self._activate(state)
                        try:
                            inner.close()
                        finally:
                            self._deactivate(token)
                        raise
                    except BaseException as exc:
                        thrown = exc
            except GeneratorExit:
                raise
            except BaseException as exc:
                error = exc
                raise
            finally:
                self._close(state, error)

        return run

    def _async_generator(self, fn: Callable[..., AsyncGenerator[Any, Any]]) -> Callable[..., Any]:
        async def run(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
            state = self._open()
            error: BaseException | None = None
            token = self._activate(state)
            try:
                inner = fn(*args, **kwargs)
            finally:
                self._deactivate(token)
            try:
                sent: Any = None
                thrown: BaseException | None = None
                while True:
                    token = self._activate(state)
                    try:
                        item = await (inner.athrow(thrown) if thrown is not None else inner.asend(sent))
                    except StopAsyncIteration:
                        return
                    finally:
                        self._deactivate(token)
                    sent, thrown = None, None
                    try:
                        sent = yield item
                    except GeneratorExit:
                        token = self._activate(state)
                        try:
                            await inner.aclose()
                        finally:
                            self._deactivate(token)
                        raise
                    except BaseException as exc:
                        thrown = exc
            except GeneratorExit:
                raise
            except BaseException as exc:
                error = exc
                raise
            finally:
                self._close(state, error)

        return run
