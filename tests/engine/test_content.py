"""Content policy: off by default, on by argument or environment, redaction first, a JSON-safe byte budget."""

from __future__ import annotations

import json

import fakevendor
import pytest

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.content import ContentPolicy
from huggingplace_sdk.testing import SpanCapture


def _attrs(capture: SpanCapture) -> dict:
    return dict(capture.only_span().attributes or {})


def test_content_is_off_by_default(fake: SpanCapture) -> None:
    fakevendor.Completions().create(model="m", prompt="secret plans")
    attrs = _attrs(fake)
    assert not any(key in attrs for key in (sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES,
                                            sc.GEN_AI_SYSTEM_INSTRUCTIONS))
    assert "secret plans" not in json.dumps(attrs)


def test_content_on_records_messages_in_the_conventions_shape(span_capture: SpanCapture) -> None:
    with span_capture.instrumented(fakevendor.FakeInstrumentor(), capture_content=True):
        fakevendor.Completions().create(model="m", prompt="hello there")
    attrs = _attrs(span_capture)
    assert json.loads(attrs[sc.GEN_AI_INPUT_MESSAGES]) == [
        {"role": "user", "parts": [{"type": "text", "content": "hello there"}]}]
    assert json.loads(attrs[sc.GEN_AI_SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert json.loads(attrs[sc.GEN_AI_OUTPUT_MESSAGES]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello"}], "finish_reason": "stop"}]


def test_content_on_through_the_environment(monkeypatch: pytest.MonkeyPatch, span_capture: SpanCapture) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    with span_capture.instrumented(fakevendor.FakeInstrumentor()):
        list(fakevendor.Completions().create(model="m", stream=True))
    output = json.loads(_attrs(span_capture)[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output[0]["parts"] == [{"type": "text", "content": "Hello"}]


def test_argument_beats_environment(monkeypatch: pytest.MonkeyPatch, span_capture: SpanCapture) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    with span_capture.instrumented(fakevendor.FakeInstrumentor(), capture_content=False):
        fakevendor.Completions().create(model="m")
    assert sc.GEN_AI_INPUT_MESSAGES not in _attrs(span_capture)


def test_redaction_runs_on_structured_messages_before_serialization(span_capture: SpanCapture) -> None:
    seen: list[str] = []

    def redact(kind: str, value):  # type: ignore[no-untyped-def]
        seen.append(kind)
        text = json.dumps(value).replace("4111-1111", "[card]")
        return json.loads(text)

    with span_capture.instrumented(fakevendor.FakeInstrumentor(), capture_content=True, redact=redact):
        fakevendor.Completions().create(model="m", prompt="my card is 4111-1111")
    attrs = _attrs(span_capture)
    assert "4111-1111" not in attrs[sc.GEN_AI_INPUT_MESSAGES]
    assert "[card]" in attrs[sc.GEN_AI_INPUT_MESSAGES]
    assert set(seen) == {"input_messages", "system_instructions", "output_messages"}


def test_truncation_keeps_valid_json_and_records_the_original_size(span_capture: SpanCapture) -> None:
    long_prompt = "x" * 5000
    with span_capture.instrumented(fakevendor.FakeInstrumentor(), capture_content=True, max_content_bytes=512):
        fakevendor.Completions().create(model="m", prompt=long_prompt)
    attrs = _attrs(span_capture)
    value = attrs[sc.GEN_AI_INPUT_MESSAGES]
    assert len(value.encode()) <= 512
    parsed = json.loads(value)
    assert parsed[0]["parts"][0]["content"].endswith("…[truncated]")
    original = len(json.dumps([{"role": "user", "parts": [{"type": "text", "content": long_prompt}]}],
                              separators=(",", ":")).encode())
    assert attrs[sc.HP_CONTENT_ORIGINAL_SIZE_PREFIX + sc.GEN_AI_INPUT_MESSAGES] == original
    assert attrs[sc.HP_CONTENT_TRUNCATED] is True


@pytest.mark.parametrize("budget", [64, 100, 300])
def test_truncate_many_messages_stays_within_budget(budget: int) -> None:
    value = [{"role": "user", "parts": [{"type": "text", "content": "é" * 400}]} for _ in range(20)]
    text, size = ContentPolicy(capture=True, max_bytes=budget).serialize("input_messages", value)
    assert len(text.encode()) <= budget and size is not None and size > budget
    assert isinstance(json.loads(text), list)
