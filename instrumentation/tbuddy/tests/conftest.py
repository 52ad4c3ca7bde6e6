"""Fixtures: the adapter for the kit's ``instrumented``, the fake platform and a real client."""

from __future__ import annotations

import asyncio
import types
from collections.abc import AsyncIterator
from typing import Any

import pytest
from huggingplace_instrumentation_tbuddy import TBuddyInstrumentor

from .tbuddy_fake import TEST_API_KEY, FakeTBuddy


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
def instrumentor() -> TBuddyInstrumentor:
    """What the kit's ``instrumented`` fixture instruments into ``span_capture``."""
    return TBuddyInstrumentor()


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    server = await FakeTBuddy.start(TEST_API_KEY)
    yield server
    await server.close()


def _make_client(base_url: str, api_key: str = TEST_API_KEY) -> Any:
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
