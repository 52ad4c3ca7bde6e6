"""Fixtures: the shared span capture; the Agents SDK's own exporter off (it would post traces to OpenAI); and a
check that our processor never failed (the SDK swallows a processor's exceptions)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from huggingplace_sdk.engine import internal_error_counts
from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: F401  (shared fixture)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "internal_errors_expected: the test breaks our processor on purpose")


@pytest.fixture(autouse=True)
def no_sdk_exporter() -> Iterator[None]:
    from agents import set_trace_processors
    from agents.tracing import get_trace_provider

    before = list(get_trace_provider()._multi_processor._processors)  # type: ignore[attr-defined]
    set_trace_processors([])
    yield
    set_trace_processors(before)


@pytest.fixture(autouse=True)
def no_internal_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("internal_errors_expected"):
        yield
        return
    before = {k: v for k, v in internal_error_counts().items() if k.startswith("openai_agents.")}
    yield
    after = {k: v for k, v in internal_error_counts().items() if k.startswith("openai_agents.")}
    assert after == before, f"internal errors in the Agents SDK processor: {after}"
