"""Fixtures: an in-memory span exporter, the instrumented adapter, the fake platform and agents."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


def _load(name: str) -> Any:
    # Test modules are imported in importlib mode, so the fake is loaded by path, once, under its own name.
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


conversimple_fake = _load("conversimple_fake")


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def capture_content() -> bool:
    return False


@pytest.fixture
def instrumented(provider: TracerProvider, capture_content: bool) -> Iterator[Any]:
    from huggingplace_instrumentation_conversimple import ConversimpleInstrumentor

    instrumentor = ConversimpleInstrumentor()
    instrumentor.instrument(tracer_provider=provider, capture_content=capture_content)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    server = await conversimple_fake.FakeConversimple.start(conversimple_fake.TEST_API_KEY)
    yield server
    await server.close()


@pytest.fixture
async def make_agent(fake: Any) -> AsyncIterator[Callable[..., Any]]:
    """Builds agents of a given class on the fake; stops the ones still running at the end."""
    agents: list[Any] = []

    def build(cls: type, api_key: str = conversimple_fake.TEST_API_KEY, **options: Any) -> Any:
        options.setdefault("max_reconnect_attempts", 2)  # a test can never retry forever
        agent = cls(api_key=api_key, customer_id="cust-1", platform_url=fake.url, **options)
        # The SDK waits at least a real second before reconnecting; no test waits for time.
        agent.connection._calculate_backoff = lambda: 0.0
        agents.append(agent)
        return agent

    yield build
    for agent in agents:
        if agent.connection_state != "disconnected":
            await agent.stop()
