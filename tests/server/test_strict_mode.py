"""Strict mode behaves like the published endpoint: one log object per request, no capability document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from huggingplace_sdk._server import INGEST_PATH, LocalServer

LogFactory = Any


@pytest.fixture
def strict_client(auth: dict[str, str]) -> Iterator[tuple[LocalServer, httpx.Client]]:
    with LocalServer(strict=True) as running, httpx.Client(base_url=running.url, headers=auth) as http:
        yield running, http


def test_strict_server_refuses_an_array_with_400_and_stores_nothing(
    strict_client: tuple[LocalServer, httpx.Client], make_log: LogFactory
) -> None:
    server, http = strict_client
    answer = http.post(INGEST_PATH, json=[make_log(message_id="a-1"), make_log(message_id="a-2")])
    assert answer.status_code == 400
    assert "one log object per request" in answer.json()["message"]
    assert server.store.count() == 0


def test_strict_server_stores_one_object_per_request(
    strict_client: tuple[LocalServer, httpx.Client], make_log: LogFactory
) -> None:
    server, http = strict_client
    answer = http.post(INGEST_PATH, json=make_log(message_id="one-1"))
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "message_id": "one-1", "duplicate": False}
    assert server.store.get_log("one-1") is not None


def test_strict_server_announces_no_capability(strict_client: tuple[LocalServer, httpx.Client]) -> None:
    server, http = strict_client
    assert server.strict is True
    assert http.get("/v1/capabilities").status_code == 404


def test_default_server_announces_array_batches(client: httpx.Client, server: LocalServer) -> None:
    assert server.strict is False
    answer = client.get("/v1/capabilities")
    assert answer.status_code == 200
    assert answer.json() == {"array_batches": True, "ingest_path": INGEST_PATH}


def test_capabilities_need_the_key(server: LocalServer) -> None:
    assert httpx.get(server.url + "/v1/capabilities").status_code == 401
