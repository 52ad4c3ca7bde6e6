"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

from typing import Any

import huggingplace_instrumentation_openai_agents as adapter
import pytest
from agents import custom_span, trace

from huggingplace_sdk.engine import tolerate_internal_errors
from huggingplace_sdk.testing import (
    SpanCapture,
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

FAN_OUT = "agents.tracing.provider"


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "OpenAIAgentsInstrumentor"]
    assert adapter.OpenAIAgentsInstrumentor.provider == "openai_agents"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.OpenAIAgentsInstrumentor,
                               distribution="huggingplace-instrumentation-openai-agents", entry_point="openai_agents",
                               instruments=("openai-agents >= 0.2, < 1",))


@pytest.mark.parametrize("event", ["on_trace_start", "on_trace_end", "on_span_start", "on_span_end"])
def test_instrument_is_idempotent_and_reversible(event: str) -> None:
    check_instrument_idempotent_and_reversible(adapter.OpenAIAgentsInstrumentor, FAN_OUT,
                                               f"SynchronousMultiTracingProcessor.{event}")


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.OpenAIAgentsInstrumentor, FAN_OUT,
                                         "SynchronousMultiTracingProcessor.on_span_start", [FAN_OUT])


def test_spans_stop_after_uninstrument(span_capture: SpanCapture) -> None:
    instrumentor = span_capture.instrument(adapter.OpenAIAgentsInstrumentor())
    with trace("flow"), custom_span("lookup", {"k": 1}):
        pass
    assert sorted(s.name for s in span_capture.spans()) == ["flow", "lookup"]
    instrumentor.uninstrument()
    span_capture.clear()
    with trace("flow"), custom_span("lookup"):
        pass
    assert span_capture.spans() == []


@pytest.mark.internal_errors_expected
def test_a_failing_processor_never_breaks_the_run(span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_openai_agents import _processor

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("our bug")

    monkeypatch.setattr(_processor.FrameworkStep, "attach", broken)
    span_capture.instrument(adapter.OpenAIAgentsInstrumentor())
    with tolerate_internal_errors(), trace("flow"), custom_span("lookup"):
        value = 41 + 1
    assert value == 42
