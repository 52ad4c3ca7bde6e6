"""Fixtures: an in-memory span exporter, the instrumented adapter and the fake Payman platform."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
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


payman_fake = _load("payman_fake")


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
    from huggingplace_instrumentation_payman import PaymanInstrumentor

    instrumentor = PaymanInstrumentor()
    instrumentor.instrument(tracer_provider=provider, capture_content=capture_content)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def fake() -> Iterator[Any]:
    creds = payman_fake.TEST_CREDENTIALS
    with payman_fake.FakePayman(creds.client_id, creds.client_secret, creds.access_token,
                                creds.refresh_token) as server:
        yield server


@pytest.fixture
def live_base_url(fake: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Clients that fetch a token while being constructed need the fake before they exist."""
    import payman_sdk.client

    monkeypatch.setitem(payman_sdk.client.BASE_URLS, "LIVE", fake.base_url)
    return str(fake.base_url)


@pytest.fixture
def client(fake: Any) -> Any:
    from payman_sdk import PaymanClient

    creds = payman_fake.TEST_CREDENTIALS
    payman = PaymanClient.with_credentials({"client_id": creds.client_id, "client_secret": creds.client_secret})
    payman.base_url = fake.base_url
    return payman
