from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from huggingplace_sdk._server import DEFAULT_DEV_API_KEY, LocalServer

LogFactory = Callable[..., dict[str, Any]]


def _make_log(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "user_prompt": "What is 2+2?",
        "response": "4",
        "ai_response": "4",
        "org_id": "org-test",
        "mode": "dev",
    }
    body.update(fields)
    return body


@pytest.fixture
def make_log() -> LogFactory:
    """A valid wire body (as our client sends it) with the given fields added or replaced."""
    return _make_log


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def client(server: LocalServer, auth: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=auth, timeout=5.0) as http:
        yield http
