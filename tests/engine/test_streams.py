"""The stream contract on the fake vendor: every exit path ends exactly one span, with the right outcome."""

from __future__ import annotations

import asyncio
import contextlib
import gc

import fakevendor
import pytest
from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture


def _span_attrs(capture: SpanCapture) -> dict:
    return dict(capture.only_span().attributes or {})


def test_drain_records_usage_finish_reasons_and_time_to_first_chunk(fake: SpanCapture) -> None:
    stream = fakevendor.Completions().create(model="org/m", stream=True, n=2)
    assert type(stream) is fakevendor.Stream
    chunks = list(stream)
    assert len(chunks) == len(fakevendor.default_chunks(n=2))  # nothing hidden: the caller asked for usage
    attrs = _span_attrs(fake)
    assert attrs[sc.HP_STREAM_OUTCOME] == "completed"
    assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop", "length")  # one per choice, by index
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == 7 and attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == 5
    assert attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] >= 0
    assert attrs[sc.HP_STREAM_CHUNKS] == len(chunks)
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is True
    assert fake.only_span().status.status_code is StatusCode.UNSET
    assert fake.metric_points(sc.METRIC_TIME_TO_FIRST_CHUNK)
    assert fake.metric_points(sc.METRIC_TIME_PER_OUTPUT_CHUNK)


def test_stream_without_usage_is_absent(fake: SpanCapture) -> None:
    list(fakevendor.Completions().create(model="m", stream=True, usage=False))
    attrs = _span_attrs(fake)
    assert attrs[sc.HP_USAGE_SOURCE] == "absent"
    assert sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attrs


def test_injected_usage_chunk_is_hidden_from_the_caller(span_capture: SpanCapture) -> None:
    with span_capture.instrumented(fakevendor.FakeInstrumentor(), stream_usage=True):
        chunks = list(fakevendor.Completions().create(model="m", stream=True, usage=False))
    assert not any(c.usage_only for c in chunks)
    assert len(chunks) == len(fakevendor.default_chunks(usage=False))
    attrs = _span_attrs(span_capture)
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == 5
    assert attrs[sc.HP_USAGE_SOURCE] == "provider"


@pytest.mark.parametrize(
    ("path", "outcome", "error_type"),
    [
        ("break_in_with", "closed_early", None),
        ("close", "closed_early", None),
        ("break_then_gc", "abandoned", "abandoned"),
        ("never_iterated", "abandoned", "abandoned"),
        ("provider_error", "error", "fakevendor.VendorError"),
        ("user_exception", "error", "KeyError"),
    ],
)
def test_sync_exit_paths(fake: SpanCapture, path: str, outcome: str, error_type: str | None) -> None:
    create = fakevendor.Completions().create
    if path == "break_in_with":
        with create(model="m", stream=True) as stream:
            for _ in stream:
                break
        assert stream.closed
    elif path == "close":
        stream = create(model="m", stream=True)
        next(stream)
        stream.close()
        assert stream.closed
    elif path == "break_then_gc":
        stream = create(model="m", stream=True)
        for _ in stream:
            break
        del stream
        gc.collect()
    elif path == "never_iterated":
        stream = create(model="m", stream=True)
        del stream
        gc.collect()
    elif path == "provider_error":
        with pytest.raises(fakevendor.VendorError):
            for _ in create(model="m", stream=True, fail_after=2):
                pass
    elif path == "user_exception":
        with pytest.raises(KeyError), create(model="m", stream=True) as stream:
            for _ in stream:
                raise KeyError("mine")
    span = fake.only_span()
    attrs = dict(span.attributes or {})
    assert attrs[sc.HP_STREAM_OUTCOME] == outcome
    assert attrs.get(sc.ERROR_TYPE) == error_type
    assert span.status.status_code is (StatusCode.ERROR if error_type else StatusCode.UNSET)


def test_partial_usage_is_kept_on_an_abnormal_end(fake: SpanCapture) -> None:
    stream = fakevendor.Completions().create(model="m", stream=True)
    for chunk in stream:
        if chunk.usage:
            break  # usage arrived, then the caller walked away
    del stream, chunk
    gc.collect()
    attrs = _span_attrs(fake)
    assert attrs[sc.HP_STREAM_OUTCOME] == "abandoned"
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == 5


def test_per_chunk_work_keeps_no_chunk_list_without_content_capture(fake: SpanCapture) -> None:
    stream = fakevendor.Completions().create(model="m", stream=True)
    list(stream)
    span = fake.only_span()
    assert span.events == ()  # no per-chunk events
    assert sc.GEN_AI_OUTPUT_MESSAGES not in (span.attributes or {})


async def test_async_drain(fake: SpanCapture) -> None:
    stream = await fakevendor.AsyncCompletions().create(model="m", stream=True)
    assert type(stream) is fakevendor.AsyncStream
    assert len([c async for c in stream]) == len(fakevendor.default_chunks())
    assert _span_attrs(fake)[sc.HP_STREAM_OUTCOME] == "completed"


@pytest.mark.parametrize(
    ("path", "outcome", "error_type"),
    [
        ("break_in_with", "closed_early", None),
        ("close", "closed_early", None),
        ("break_then_gc", "abandoned", "abandoned"),
        ("never_iterated", "abandoned", "abandoned"),
        ("provider_error", "error", "fakevendor.VendorError"),
        ("user_exception", "error", "KeyError"),
        ("cancelled", "cancelled", "cancelled"),
        ("timeout", "cancelled", "cancelled"),
    ],
)
async def test_async_exit_paths(fake: SpanCapture, path: str, outcome: str, error_type: str | None) -> None:
    create = fakevendor.AsyncCompletions().create
    if path == "break_in_with":
        async with await create(model="m", stream=True) as stream:
            async for _ in stream:
                break
    elif path == "close":
        stream = await create(model="m", stream=True)
        await stream.__anext__()
        await stream.close()
    elif path == "break_then_gc":
        stream = await create(model="m", stream=True)
        async for _ in stream:
            break
        del stream
        for _ in range(3):  # the loop closes the suspended `async for` generator, then it is collected
            await asyncio.sleep(0)
            gc.collect()
    elif path == "never_iterated":
        stream = await create(model="m", stream=True)
        del stream
        gc.collect()
    elif path == "provider_error":
        with pytest.raises(fakevendor.VendorError):
            async for _ in await create(model="m", stream=True, fail_after=2):
                pass
    elif path == "user_exception":
        with pytest.raises(KeyError):
            async with await create(model="m", stream=True) as stream:
                async for _ in stream:
                    raise KeyError("mine")
    elif path in ("cancelled", "timeout"):
        stream = await create(model="m", stream=True, stall_after=2)
        started = asyncio.Event()

        async def consume() -> None:
            async for _ in stream:
                started.set()

        task = asyncio.ensure_future(consume())
        if path == "cancelled":
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        else:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(task, timeout=0.05)
    span = fake.only_span()
    attrs = dict(span.attributes or {})
    assert attrs[sc.HP_STREAM_OUTCOME] == outcome
    assert attrs.get(sc.ERROR_TYPE) == error_type
    assert span.status.status_code is (StatusCode.ERROR if error_type else StatusCode.UNSET)


def test_tool_call_ids_and_names_always_arguments_only_with_content(span_capture: SpanCapture) -> None:
    chunks = [fakevendor.Chunk("r", "m", tool_call={"id": "call_1", "name": "lookup", "arguments": '{"q":'}),
              fakevendor.Chunk("r", "m", tool_call={"arguments": ' "x"}'}),
              fakevendor.Chunk("r", "m", finish_reason="tool_calls")]
    for capture_content in (False, True):
        span_capture.clear()
        with span_capture.instrumented(fakevendor.FakeInstrumentor(), capture_content=capture_content):
            from huggingplace_sdk._engine.invocation import Invocation  # noqa: F401 - engine loaded
            original = fakevendor.default_chunks
            fakevendor.default_chunks = lambda *a, **k: chunks  # type: ignore[assignment]
            try:
                list(fakevendor.Completions().create(model="m", stream=True))
            finally:
                fakevendor.default_chunks = original
        attrs = _span_attrs(span_capture)
        assert attrs[sc.HP_TOOL_CALL_IDS] == ("call_1",)
        assert attrs[sc.HP_TOOL_CALL_NAMES] == ("lookup",)
        assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("tool_calls",)
        if capture_content:
            assert '"arguments":{"q":"x"}' in attrs[sc.GEN_AI_OUTPUT_MESSAGES]
        else:
            assert sc.GEN_AI_OUTPUT_MESSAGES not in attrs


@pytest.mark.parametrize(
    ("path", "outcome", "error_type"),
    [
        ("drain", "completed", None),
        ("close", "closed_early", None),
        ("break_then_gc", "abandoned", "abandoned"),
        ("never_iterated", "abandoned", "abandoned"),
        ("provider_error", "error", "fakevendor.VendorError"),
        ("closed_by_an_exception", "error", "KeyError"),
    ],
)
def test_plain_generator_results_keep_their_type_and_end_once(fake: SpanCapture, path: str, outcome: str,
                                                              error_type: str | None) -> None:
    import inspect

    create = fakevendor.Completions().create_generator
    stream = create(model="m", stream=True, fail_after=2 if path == "provider_error" else None)
    assert inspect.isgenerator(stream)
    if path == "drain":
        assert len(list(stream)) == len(fakevendor.default_chunks())
    elif path == "close":
        next(stream)
        stream.close()
    elif path == "break_then_gc":
        for _ in stream:
            break
        del stream
        gc.collect()
    elif path == "never_iterated":
        del stream
        gc.collect()
    elif path == "provider_error":
        with pytest.raises(fakevendor.VendorError):
            list(stream)
    elif path == "closed_by_an_exception":  # leaving ``with closing(stream)`` because the caller raised
        with pytest.raises(KeyError), contextlib.closing(stream):
            for _ in stream:
                raise KeyError("the caller's")
    span = fake.only_span()
    attrs = dict(span.attributes or {})
    assert attrs[sc.HP_STREAM_OUTCOME] == outcome
    assert attrs.get(sc.ERROR_TYPE) == error_type
