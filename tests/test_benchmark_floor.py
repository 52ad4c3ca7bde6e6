"""The benchmarks' SDK floor must record exactly what our OpenAI adapter records, or "ours above the floor"
stops meaning "our own code". Runs both on the benchmark's recorded calls and compares what they emit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import bench_openai
from _floor import FloorInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor

VARYING = {"gen_ai.response.time_to_first_chunk"}  # a measured duration: same key, its own value


Emitted = tuple[list[tuple[str, dict[str, Any]]], set[tuple[str, frozenset[Any]]]]


def _emitted(instrumentor: Any) -> Emitted:
    exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor.instrument(tracer_provider=tracer_provider,
                            meter_provider=MeterProvider(metric_readers=[reader]))
    try:
        calls = bench_openai.scenarios(*bench_openai._clients())
        calls["plain"]()
        calls["streamed"]()
    finally:
        instrumentor.uninstrument()
    spans = [(span.name, {k: v for k, v in (span.attributes or {}).items() if k not in VARYING})
             for span in exporter.get_finished_spans()]
    data = reader.get_metrics_data()
    points = {(metric.name, frozenset(point.attributes.items()))
              for resource in (data.resource_metrics if data else []) for scope in resource.scope_metrics
              for metric in scope.metrics for point in metric.data.data_points}
    return spans, points


@pytest.fixture(scope="module")
def ours() -> Emitted:
    return _emitted(OpenAIInstrumentor())


@pytest.fixture(scope="module")
def floor() -> Emitted:
    return _emitted(FloorInstrumentor())


def test_the_floor_records_the_same_span_attributes(ours: Emitted, floor: Emitted) -> None:
    assert len(ours[0]) == 2
    assert floor[0] == ours[0]


def test_the_floor_records_the_same_metric_points(ours: Emitted, floor: Emitted) -> None:
    assert len(ours[1]) == 6  # duration, input and output tokens, time to first chunk, time per chunk, spend
    assert floor[1] == ours[1]
