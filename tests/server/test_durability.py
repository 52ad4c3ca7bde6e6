from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from huggingplace_sdk._server import DEFAULT_DEV_API_KEY, INGEST_PATH, LocalServer

LogFactory = Callable[..., dict[str, Any]]
AUTH = {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}


def test_logs_survive_a_restart_on_the_same_file(tmp_path: Path, make_log: LogFactory) -> None:
    db = tmp_path / "hp.sqlite3"
    with LocalServer(db_path=db) as first:
        answer = httpx.post(first.ingest_url, json=make_log(message_id="keep", session_id="s"), headers=AUTH)
        assert answer.status_code == 200
    with LocalServer(db_path=str(db)) as second:
        assert second.store.get_log("keep") is not None
        assert (
            httpx.get(second.url + "/v1/sessions/s/logs", headers=AUTH).json()["logs"][0]["message_id"]
            == "keep"
        )
        duplicate = httpx.post(second.ingest_url, json=make_log(message_id="keep"), headers=AUTH)
        assert duplicate.json()["duplicate"] is True
        assert second.store.count() == 1


def test_committed_data_is_visible_to_another_connection_while_running(
    tmp_path: Path, make_log: LogFactory
) -> None:
    db = tmp_path / "hp.sqlite3"
    with LocalServer(db_path=db) as server:
        httpx.post(server.ingest_url, json=make_log(message_id="now"), headers=AUTH)
        with sqlite3.connect(db) as other:
            rows = other.execute("SELECT message_id FROM logs").fetchall()
            mode = other.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [("now",)]
    assert mode == "wal"


def test_restart_of_one_instance_keeps_url_and_data(tmp_path: Path, make_log: LogFactory) -> None:
    server = LocalServer(db_path=tmp_path / "hp.sqlite3").start()
    url = server.url
    httpx.post(server.ingest_url, json=make_log(message_id="before"), headers=AUTH)
    server.stop()
    assert not server.running
    assert server.store.count() == 1  # still readable while stopped
    server.start()
    try:
        assert server.url == url
        assert (
            httpx.post(server.ingest_url, json=make_log(message_id="after"), headers=AUTH).status_code == 200
        )
        assert {log["message_id"] for log in server.store.logs()} == {"before", "after"}
    finally:
        server.stop()


def test_in_memory_store_is_readable_after_stop(make_log: LogFactory) -> None:
    with LocalServer() as server:
        httpx.post(server.url + INGEST_PATH, json=make_log(message_id="m"), headers=AUTH)
    assert server.store.get_log("m") is not None


def test_stop_is_idempotent_and_refuses_connections_after() -> None:
    server = LocalServer().start()
    url = server.url
    server.stop()
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/v1/sessions", headers=AUTH, timeout=2)


def test_an_unusable_database_fails_at_start_not_on_a_request(tmp_path: Path) -> None:
    server = LocalServer(db_path=tmp_path / "missing-folder" / "hp.sqlite3")
    with pytest.raises(sqlite3.Error):
        server.start()
    assert not server.running
