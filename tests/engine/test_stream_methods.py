"""Streams iterated by their class's ``__next__`` (observe_stream_methods / stream_method_hooks): one span per
stream whatever the exit, and the stream closing itself at its end is not the caller closing it."""

from __future__ import annotations

import gc

import methodstreams
import pytest

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture


@pytest.fixture
def capture(span_capture: SpanCapture) -> SpanCapture:
    span_capture.instrument(methodstreams.MethodStreamsInstrumentor())
    return span_capture


def _outcome(capture: SpanCapture) -> tuple[object, object, object]:
    attributes = capture.only_span().attributes or {}
    return (attributes.get(sc.HP_STREAM_OUTCOME), attributes.get(sc.ERROR_TYPE),
            attributes.get(sc.HP_STREAM_CHUNKS))


def test_drained_stream_that_closes_itself_is_completed(capture: SpanCapture) -> None:
    stream = methodstreams.open_stream(["a", "b"])
    assert type(stream) is methodstreams.SelfClosingStream
    assert list(stream) == ["a", "b"] and stream.closed
    assert _outcome(capture) == (sc.STREAM_COMPLETED, None, 2)


def test_caller_closing_is_closed_early(capture: SpanCapture) -> None:
    stream = methodstreams.open_stream(["a", "b"])
    next(stream)
    stream.close()
    assert stream.closed
    assert _outcome(capture) == (sc.STREAM_CLOSED_EARLY, None, 1)


def test_error_from_the_stream(capture: SpanCapture) -> None:
    with pytest.raises(methodstreams.VendorError):
        list(methodstreams.open_stream(["a", "b"], fail_after=1))
    outcome, error_type, chunks = _outcome(capture)
    assert outcome == sc.STREAM_ERROR and str(error_type).endswith("VendorError") and chunks == 1


def test_dropped_stream_is_abandoned(capture: SpanCapture) -> None:
    stream = methodstreams.open_stream(["a", "b"])
    next(stream)
    del stream
    gc.collect()
    assert _outcome(capture) == (sc.STREAM_ABANDONED, sc.ERROR_ABANDONED, 1)


def test_untraced_instances_and_uninstrument(span_capture: SpanCapture) -> None:
    plain = methodstreams.SelfClosingStream(["x"])  # made without the traced call: passes through
    instrumentor = methodstreams.MethodStreamsInstrumentor()
    original = vars(methodstreams.SelfClosingStream)["__next__"]
    with span_capture.instrumented(instrumentor):
        assert list(plain) == ["x"]
        assert vars(methodstreams.SelfClosingStream)["__next__"] is not original
    assert vars(methodstreams.SelfClosingStream)["__next__"] is original
    assert span_capture.spans() == []
