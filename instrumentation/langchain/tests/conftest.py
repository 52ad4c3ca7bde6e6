"""Fixtures: the shared span capture of huggingplace_sdk.testing, and a check that our handler never failed.

LangChain swallows a callback handler's exceptions (it only logs them), so an internal error of ours would not
fail a test by itself: every test here also asserts that the engine's guard counted none.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from huggingplace_sdk.engine import internal_error_counts
from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: F401  (shared fixture)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "internal_errors_expected: the test breaks our handler on purpose")


@pytest.fixture(autouse=True)
def no_internal_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("internal_errors_expected"):
        yield
        return
    before = {k: v for k, v in internal_error_counts().items() if k.startswith("langchain.")}
    yield
    after = {k: v for k, v in internal_error_counts().items() if k.startswith("langchain.")}
    assert after == before, f"internal errors in the LangChain handler: {after}"
