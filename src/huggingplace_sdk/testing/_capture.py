"""In-memory capture of spans and metrics, with our session processor, for any distribution's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from huggingplace_sdk import _context
from huggingplace_sdk._processor import SessionSpanProcessor


class SpanCapture:
    """A private tracer and meter provider recording everything in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.metric_reader = InMemoryMetricReader()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SessionSpanProcessor())
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.meter_provider = MeterProvider(metric_readers=[self.metric_reader])
        self._instrumented: list[Any] = []
        _context.set_tracer_provider(self.tracer_provider)

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        """Finished spans in end order, optionally only those called ``name``."""
        spans = list(self.exporter.get_finished_spans())
        return [s for s in spans if s.name == name] if name is not None else spans

    def only_span(self, name: str | None = None) -> ReadableSpan:
        """The one finished span (called ``name``, when given); fails if there are none or several."""
        spans = self.spans(name)
        assert len(spans) == 1, f"expected exactly one span, got {[s.name for s in self.spans()]}"
        return spans[0]

    def clear(self) -> None:
        self.exporter.clear()

    def metric_points(self, name: str) -> list[Any]:
        """All data points of metric ``name`` collected so far."""
        data = self.metric_reader.get_metrics_data()
        points: list[Any] = []
        for resource_metrics in (data.resource_metrics if data else []):
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    if metric.name == name:
                        points.extend(metric.data.data_points)
        return points

    def instrument(self, instrumentor: Any, **kwargs: Any) -> Any:
        """Instrument with this capture's providers; undone by close()."""
        instrumentor.instrument(tracer_provider=self.tracer_provider, meter_provider=self.meter_provider,
                                **kwargs)
        self._instrumented.append(instrumentor)
        return instrumentor

    @contextmanager
    def instrumented(self, instrumentor: Any, **kwargs: Any) -> Iterator[Any]:
        self.instrument(instrumentor, **kwargs)
        try:
            yield instrumentor
        finally:
            instrumentor.uninstrument()
            self._instrumented.remove(instrumentor)

    @contextmanager
    def instrumented_by_name(self, *adapters: str, **kwargs: Any) -> Iterator[Any]:
        """``huggingplace_sdk.instrument(adapters)`` as users call it, into this capture's providers and
        nowhere else (no HuggingPlace exporter, no console); undone on exit. Yields its handle."""
        from huggingplace_sdk import instrument

        options: dict[str, Any] = {"tracer_provider": self.tracer_provider, "meter_provider": self.meter_provider,
                                   "huggingplace": False, "console": False, **kwargs}
        handle = instrument(list(adapters), **options)
        try:
            yield handle
        finally:
            handle.uninstrument()

    def close(self) -> None:
        for instrumentor in reversed(self._instrumented):
            instrumentor.uninstrument()
        self._instrumented.clear()
        _context.set_tracer_provider(None)
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@contextmanager
def capture_spans() -> Iterator[SpanCapture]:
    capture = SpanCapture()
    try:
        yield capture
    finally:
        capture.close()
