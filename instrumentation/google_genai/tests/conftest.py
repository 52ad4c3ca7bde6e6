"""Fixtures: the shared span capture of huggingplace_sdk.testing; clients made by a test are closed after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: F401  (shared fixture)

from ._drive import LIVE_CLIENTS


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    for client in LIVE_CLIENTS:
        close = getattr(client, "close", None)  # google-genai 1.0 clients have none
        if close is not None:
            close()
    LIVE_CLIENTS.clear()
