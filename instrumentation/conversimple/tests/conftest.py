"""Fixtures: the adapter for the kit's ``instrumented``, the fake platform and agents."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from huggingplace_instrumentation_conversimple import ConversimpleInstrumentor

from .conversimple_fake import TEST_API_KEY, FakeConversimple


@pytest.fixture
def instrumentor() -> ConversimpleInstrumentor:
    """What the kit's ``instrumented`` fixture instruments into ``span_capture``."""
    return ConversimpleInstrumentor()


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    server = await FakeConversimple.start(TEST_API_KEY)
    yield server
    await server.close()


@pytest.fixture
async def make_agent(fake: Any) -> AsyncIterator[Callable[..., Any]]:
    """Builds agents of a given class on the fake; stops the ones still running at the end."""
    agents: list[Any] = []

    def build(cls: type, api_key: str = TEST_API_KEY, **options: Any) -> Any:
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
