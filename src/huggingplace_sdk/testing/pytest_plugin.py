"""pytest fixtures of the shared test kit: ``pytest_plugins = ["huggingplace_sdk.testing.pytest_plugin"]``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from huggingplace_sdk.testing._capture import SpanCapture, capture_spans


@pytest.fixture
def span_capture() -> Iterator[SpanCapture]:
    """Spans and metrics of the test, in memory; instrumentors instrumented through it are undone."""
    with capture_spans() as capture:
        yield capture


@pytest.fixture
def capture_content() -> bool:
    """Content capture for an adapter's ``instrumented`` fixture: off unless a test parametrizes it."""
    return False


@pytest.fixture
def instrumented(span_capture: SpanCapture, capture_content: bool, instrumentor: Any) -> Iterator[Any]:
    """The suite's ``instrumentor`` fixture instrumented into ``span_capture`` for the test."""
    with span_capture.instrumented(instrumentor, capture_content=capture_content) as active:
        yield active
