"""``Target.applies``: a filter asked before anything else; a call it rejects runs untraced, its codec unread."""

from __future__ import annotations

from typing import Any

import fakevendor
import pytest

from huggingplace_sdk.engine import GenAIInstrumentor, Target
from huggingplace_sdk.testing import SpanCapture


def _not_skipped(instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return kwargs.get("model") != "skip"


class _FilteredInstrumentor(GenAIInstrumentor):
    provider = "fake"
    instruments = ()

    def targets(self) -> list[Target]:
        codec = fakevendor.FakeCodec()
        module = fakevendor.__name__
        return [Target(module, "Completions.create", codec, applies=_not_skipped),
                Target(module, "AsyncCompletions.create", codec, is_async=True, applies=_not_skipped)]


class _ExplodingInstrumentor(GenAIInstrumentor):  # not a subclass: instrumentors are per-class singletons
    provider = "fake"
    instruments = ()

    def targets(self) -> list[Target]:
        return [Target(fakevendor.__name__, "Completions.create", fakevendor.FakeCodec(explode="request"),
                       applies=lambda instance, args, kwargs: False)]


def test_filtered_calls_run_untraced_and_others_are_traced(span_capture: SpanCapture) -> None:
    with span_capture.instrumented(_FilteredInstrumentor()):
        skipped = fakevendor.Completions().create(model="skip")
        fakevendor.Completions().create(model="kept")
    assert type(skipped) is fakevendor.Response
    assert [s.name for s in span_capture.spans()] == ["chat kept"]


async def test_async_filter(span_capture: SpanCapture) -> None:
    with span_capture.instrumented(_FilteredInstrumentor()):
        await fakevendor.AsyncCompletions().create(model="skip")
        await fakevendor.AsyncCompletions().create(model="kept")
    assert [s.name for s in span_capture.spans()] == ["chat kept"]


def test_a_rejected_call_never_reaches_the_codec(span_capture: SpanCapture) -> None:
    """The codec raises on any read: under pytest that would fail the call, so it was never asked."""
    with span_capture.instrumented(_ExplodingInstrumentor()):
        fakevendor.Completions().create(model="m")
    assert span_capture.spans() == []


def test_user_exceptions_pass_the_filter_unchanged(span_capture: SpanCapture) -> None:
    with span_capture.instrumented(_FilteredInstrumentor()), pytest.raises(fakevendor.VendorError):
        fakevendor.Completions().create(model="skip", fail=True)
