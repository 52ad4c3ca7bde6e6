"""Fixtures: an in-memory span exporter, the instrumented adapter, the fake platform and a real client."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import types
from collections.abc import AsyncIterator, Iterator
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


tbuddy_fake = _load("tbuddy_fake")

API_KEY = tbuddy_fake.TEST_API_KEY


@pytest.fixture(autouse=True)
def no_sdk_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK sleeps fixed real seconds (before streaming, after a final update, between polls):
    its modules get an asyncio whose sleep only yields, so no test waits for time."""
    real_sleep = asyncio.sleep

    async def yield_only(delay: float, result: Any = None) -> Any:
        return await real_sleep(0, result)

    fast = types.SimpleNamespace(**vars(asyncio))
    fast.sleep = yield_only
    for module in ("TBuddy_SDK.client", "TBuddy_SDK.websocket_client"):
        monkeypatch.setattr(f"{module}.asyncio", fast)


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
    from huggingplace_instrumentation_tbuddy import TBuddyInstrumentor

    instrumentor = TBuddyInstrumentor()
    instrumentor.instrument(tracer_provider=provider, capture_content=capture_content)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    server = await tbuddy_fake.FakeTBuddy.start(API_KEY)
    yield server
    await server.close()


def _make_client(base_url: str, api_key: str = API_KEY) -> Any:
    from TBuddy_SDK import TBuddyClient, TBuddyConfig

    client = TBuddyClient(TBuddyConfig(api_key=api_key, base_url=base_url, log_level="CRITICAL"))
    # The SDK backs off for real seconds between retries; a zero delay keeps the tests free of waits.
    client.retry_handler._calculate_delay = lambda attempt: 0.0
    return client


@pytest.fixture
def make_client() -> Any:
    return _make_client


@pytest.fixture
async def client(fake: Any) -> AsyncIterator[Any]:
    tbuddy_client = _make_client(fake.base_url)
    yield tbuddy_client
    await tbuddy_client.close()
