from __future__ import annotations

from collections.abc import Iterator

import pytest

from huggingplace_sdk._server import LocalServer

SERVER_KEY = "cli-test-key-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads HUGGINGPLACE_* variables; tests start from none of them."""
    for name in (
        "HUGGINGPLACE_API_KEY",
        "HUGGINGPLACE_ORG_ID",
        "HUGGINGPLACE_MODE",
        "HUGGINGPLACE_BASE_URL",
        "HUGGINGPLACE_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server_key() -> str:
    return SERVER_KEY


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer(api_key=SERVER_KEY) as running:
        yield running
