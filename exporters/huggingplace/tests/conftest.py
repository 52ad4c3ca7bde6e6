"""Fixtures for the exporter tests: the real local server, a fake clock with a recording sleep, span makers.

Every test using ``server`` runs twice: the default delivery (one log per request) against the strict
server, which refuses arrays as the published endpoint does, and array batches against the batch-capable
server. Both must give the same figures: nothing lost, nothing stored twice, drops counted by reason.

Spans are produced by a real TracerProvider whose SimpleSpanProcessor hands each ended span to the exporter
under test; start/end times are given explicitly where order matters. Time never passes for real except in
the wall-clock bound tests (a hung endpoint), which allow for a loaded machine's scheduling delay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from huggingplace_exporter import HuggingPlaceSpanExporter
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from huggingplace_sdk._server import LocalServer

API_KEY = "hp-exporter-test-key-0123456789"
ORG_ID = "org-exporter-test"


class FakeClock:
    """Monotonic seconds that move only when a test or the fake sleep moves them; sleeps are recorded."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@dataclass(frozen=True)
class Delivery:
    batch_format: str  # the exporter's setting
    strict: bool  # the local server's mode

    @property
    def arrays(self) -> bool:
        return self.batch_format == "array"


DELIVERIES = {
    "single-strict": Delivery("single", strict=True),
    "array-batch-server": Delivery("array", strict=False),
}


@pytest.fixture(params=list(DELIVERIES))
def delivery(request: pytest.FixtureRequest) -> Delivery:
    return DELIVERIES[request.param]


@pytest.fixture
def server(delivery: Delivery) -> Iterator[LocalServer]:
    with LocalServer(api_key=API_KEY, strict=delivery.strict) as local:
        yield local
        local.faults.clear()


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_exporter(
    server: LocalServer, clock: FakeClock, delivery: Delivery
) -> Iterator[Callable[..., HuggingPlaceSpanExporter]]:
    """Exporter factory against the local server, fake clock and sleep; shut down at teardown."""
    made: list[HuggingPlaceSpanExporter] = []

    def make(**overrides: Any) -> HuggingPlaceSpanExporter:
        settings: dict[str, Any] = {
            "api_key": API_KEY, "org_id": ORG_ID, "base_url": server.url, "late_child_wait": 0.0,
            "clock": clock, "sleep": clock.sleep, "atexit_timeout": 0,
            "batch_format": None if delivery.batch_format == "single" else delivery.batch_format,
        }
        settings.update(overrides)
        exporter = HuggingPlaceSpanExporter(**settings)
        made.append(exporter)
        return exporter

    yield make
    server.faults.clear()
    for exporter in made:
        exporter.shutdown(timeout_millis=2000)


def _tracer_for(exporter: HuggingPlaceSpanExporter) -> trace.Tracer:
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("huggingplace-exporter-tests")


def _remote_parent(trace_id: int = 0xABC, span_id: int = 0x123) -> Any:
    """A context whose current span is a remote parent (a request that came in from another service)."""
    parent = SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    return trace.set_span_in_context(NonRecordingSpan(parent))


def _export_interaction(tracer: trace.Tracer, index: int = 0, *, llm_calls: int = 1) -> None:
    """A user step with ``llm_calls`` chat calls beneath it (no content captured)."""
    with tracer.start_as_current_span(
        "trace_step answer", attributes={"huggingplace.step.type": "agent", "huggingplace.step.name": "answer",
                                         "huggingplace.step.user_question": f"question {index}",
                                         "huggingplace.step.prompt_response": f"answer {index}"}
    ):
        for _ in range(llm_calls):
            with tracer.start_as_current_span(
                "chat gpt-4o-mini",
                kind=trace.SpanKind.CLIENT,
                attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
                            "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 3},
            ):
                pass


# How late a thread may wake on a machine loaded well beyond its cores (load 15-20 on 2 cores was seen to
# delay wake-ups by tenths of a second). Far below the 10 s request timeout those tests set, so a flush or
# shutdown that waited for the hung request, instead of its budget, still fails them.
SCHEDULING_ALLOWANCE_S = 2.0


def _returned_on_time(elapsed_s: float, budget_s: float) -> bool:
    return elapsed_s <= budget_s + SCHEDULING_ALLOWANCE_S


@pytest.fixture
def returned_on_time() -> Callable[[float, float], bool]:
    """``(elapsed, budget)``: True when a bounded call came back within its budget plus scheduling delay."""
    return _returned_on_time


@pytest.fixture
def tracer_for() -> Callable[[HuggingPlaceSpanExporter], trace.Tracer]:
    return _tracer_for


@pytest.fixture
def remote_parent() -> Callable[..., Any]:
    return _remote_parent


@pytest.fixture
def export_interaction() -> Callable[..., None]:
    return _export_interaction
