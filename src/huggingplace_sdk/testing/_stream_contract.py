"""The stream contract every adapter must pass, as reusable checks over a recorded streamed call.

An adapter's test describes how to make one streamed call through the real vendor client (a
:class:`StreamCall`) and runs :func:`check_sync_exit_path` / :func:`check_async_exit_path` for every path in
:data:`SYNC_EXIT_PATHS` / :data:`ASYNC_EXIT_PATHS`. Each check replays the cassette on loopback, drives the
stream down that exit path, and asserts exactly one span with the outcome, status and error.type the
contract requires. The vendor's own helper stream APIs (the ninth path) are vendor-specific and tested by
each adapter directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.errors import error_type_of
from huggingplace_sdk.testing._capture import SpanCapture
from huggingplace_sdk.testing._replay import ReplayServer, StreamFault

SYNC_EXIT_PATHS = ("drain", "break_in_with", "break_then_gc", "close", "never_iterated", "provider_error",
                   "user_exception")
ASYNC_EXIT_PATHS = (*SYNC_EXIT_PATHS, "cancelled", "timeout")


class ContractError(Exception):
    """The user's own exception raised inside the loop."""


@dataclass(frozen=True)
class StreamCall:
    """How to make one streamed call: ``open(base_url)`` returns the vendor's stream object."""

    cassette: Path
    open: Callable[[str], Any] | None = None
    open_async: Callable[[str], Awaitable[Any]] | None = None
    close_method: str = "close"
    # Pieces (SSE events) the server sends before a provider error / stall; must leave >= 1 chunk.
    fault_after: int = 2


_EXPECTED = {
    "drain": (sc.STREAM_COMPLETED, None),
    "break_in_with": (sc.STREAM_CLOSED_EARLY, None),
    "close": (sc.STREAM_CLOSED_EARLY, None),
    "break_then_gc": (sc.STREAM_ABANDONED, sc.ERROR_ABANDONED),
    "never_iterated": (sc.STREAM_ABANDONED, sc.ERROR_ABANDONED),
    "user_exception": (sc.STREAM_ERROR, error_type_of(ContractError())),
    "cancelled": (sc.STREAM_CANCELLED, sc.ERROR_CANCELLED),
    "timeout": (sc.STREAM_CANCELLED, sc.ERROR_CANCELLED),
}


def _fault_for(path: str, call: StreamCall) -> StreamFault | None:
    if path == "provider_error":
        return StreamFault("abort", after_pieces=call.fault_after)
    if path in ("cancelled", "timeout"):
        return StreamFault("stall", after_pieces=call.fault_after, max_stall=10.0)
    return None


def _assert_outcome(capture: SpanCapture, path: str, provider_error: BaseException | None) -> ReadableSpan:
    spans = [s for s in capture.spans() if s.kind.name == "CLIENT"]
    assert len(spans) == 1, f"{path}: expected exactly one span, got {[s.name for s in spans]}"
    span = spans[0]
    attrs = span.attributes or {}
    error_type: str | None
    if path == "provider_error":
        assert provider_error is not None, "the vendor raised nothing on a broken stream"
        outcome, error_type = sc.STREAM_ERROR, error_type_of(provider_error)
    else:
        outcome, error_type = _EXPECTED[path]
    assert attrs.get(sc.HP_STREAM_OUTCOME) == outcome, f"{path}: outcome {attrs.get(sc.HP_STREAM_OUTCOME)}"
    assert attrs.get(sc.ERROR_TYPE) == error_type, f"{path}: error.type {attrs.get(sc.ERROR_TYPE)}"
    expected_status = StatusCode.ERROR if error_type else StatusCode.UNSET
    assert span.status.status_code is expected_status, f"{path}: status {span.status.status_code}"
    assert span.end_time is not None
    if path not in ("never_iterated",):
        chunks = attrs.get(sc.HP_STREAM_CHUNKS, 0)
        assert isinstance(chunks, int) and chunks >= 1, f"{path}: no chunk counted"
        assert sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK in attrs, f"{path}: no time to first chunk"
    return span


def _managed(stream: Any) -> Any:
    """The stream as a context manager: a vendor whose stream is a plain generator (google-genai) is left
    ``with`` through ``contextlib.closing``, as its users do."""
    return stream if hasattr(stream, "__enter__") else contextlib.closing(stream)


def _managed_async(stream: Any) -> Any:
    return stream if hasattr(stream, "__aenter__") else contextlib.aclosing(stream)


def check_sync_exit_path(path: str, call: StreamCall, capture: SpanCapture) -> ReadableSpan:
    """Drive a sync stream down ``path``; return its single span after asserting the contract."""
    assert call.open is not None, "StreamCall.open is needed for sync paths"
    provider_error: BaseException | None = None
    with ReplayServer(call.cassette, repeat=True, stream_fault=_fault_for(path, call)) as server:
        url = server.base_url
        if path == "drain":
            assert sum(1 for _ in call.open(url)) >= 1
        elif path == "break_in_with":
            with _managed(call.open(url)) as stream:
                for _ in stream:
                    break
        elif path == "break_then_gc":
            stream = call.open(url)
            for _ in stream:
                break
            del stream
            gc.collect()
        elif path == "close":
            stream = call.open(url)
            next(iter(stream))
            getattr(stream, call.close_method)()
        elif path == "never_iterated":
            stream = call.open(url)
            del stream
            gc.collect()
        elif path == "provider_error":
            try:
                for _ in call.open(url):
                    pass
            except Exception as exc:
                provider_error = exc
        elif path == "user_exception":
            try:
                with _managed(call.open(url)) as stream:
                    for _ in stream:
                        raise ContractError("raised by the caller inside the loop")
            except ContractError:
                pass
            else:
                raise AssertionError("the user's exception was swallowed")
        else:
            raise ValueError(f"unknown sync exit path {path!r}")
    return _assert_outcome(capture, path, provider_error)


async def check_async_exit_path(path: str, call: StreamCall, capture: SpanCapture) -> ReadableSpan:
    """Drive an async stream down ``path``; return its single span after asserting the contract."""
    assert call.open_async is not None, "StreamCall.open_async is needed for async paths"
    provider_error: BaseException | None = None
    with ReplayServer(call.cassette, repeat=True, stream_fault=_fault_for(path, call)) as server:
        url = server.base_url
        if path == "drain":
            count = 0
            async for _ in await call.open_async(url):
                count += 1
            assert count >= 1
        elif path == "break_in_with":
            async with _managed_async(await call.open_async(url)) as stream:
                async for _ in stream:
                    break
        elif path == "break_then_gc":
            stream = await call.open_async(url)
            async for _ in stream:
                break
            del stream
            for _ in range(3):  # the loop closes the suspended `async for` generator, then it is collected
                await asyncio.sleep(0)
                gc.collect()
        elif path == "close":
            stream = await call.open_async(url)
            await stream.__aiter__().__anext__()
            await getattr(stream, call.close_method)()
        elif path == "never_iterated":
            stream = await call.open_async(url)
            del stream
            gc.collect()
        elif path == "provider_error":
            try:
                async for _ in await call.open_async(url):
                    pass
            except Exception as exc:
                provider_error = exc
        elif path == "user_exception":
            try:
                async with _managed_async(await call.open_async(url)) as stream:
                    async for _ in stream:
                        raise ContractError("raised by the caller inside the loop")
            except ContractError:
                pass
            else:
                raise AssertionError("the user's exception was swallowed")
        elif path in ("cancelled", "timeout"):
            await _interrupt(path, call, url)
        else:
            raise ValueError(f"unknown async exit path {path!r}")
        server.release()
    await asyncio.sleep(0)  # let the loop run scheduled async-generator finalizers
    return _assert_outcome(capture, path, provider_error)


async def _interrupt(path: str, call: StreamCall, url: str) -> None:
    assert call.open_async is not None
    first_chunk = asyncio.Event()
    stream = await call.open_async(url)

    async def consume() -> None:
        async for _ in stream:
            first_chunk.set()

    task = asyncio.ensure_future(consume())
    if path == "cancelled":
        await first_chunk.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return
        raise AssertionError("the stream was not cancelled")
    try:
        # The server stalls after a few events: the caller's deadline ends the stream.
        await asyncio.wait_for(task, timeout=0.3)
    except asyncio.TimeoutError:
        return
    raise AssertionError("the stalled stream did not time out")
