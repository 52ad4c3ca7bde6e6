from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from huggingplace_sdk._server import INGEST_PATH, LocalServer

LogFactory = Callable[..., dict[str, Any]]


def _seed(client: httpx.Client, make_log: LogFactory) -> None:
    for body in (
        make_log(message_id="a1", session_id="sess-a", user_id="u1"),
        make_log(message_id="b1", session_id="sess/b"),
        make_log(message_id="a2", session_id="sess-a", user_id="u1"),
        make_log(message_id="loose"),
    ):
        assert client.post(INGEST_PATH, json=body).status_code == 200


def test_sessions_are_derived_from_session_ids(client: httpx.Client, make_log: LogFactory) -> None:
    _seed(client, make_log)
    sessions = client.get("/v1/sessions").json()["sessions"]
    assert [(s["session_id"], s["log_count"]) for s in sessions] == [("sess-a", 2), ("sess/b", 1)]
    assert all(s["first_seen"] <= s["last_seen"] for s in sessions)


def test_session_logs_in_arrival_order(client: httpx.Client, make_log: LogFactory) -> None:
    _seed(client, make_log)
    answer = client.get("/v1/sessions/sess-a/logs").json()
    assert answer["session_id"] == "sess-a"
    assert [log["message_id"] for log in answer["logs"]] == ["a1", "a2"]
    escaped = client.get("/v1/sessions/sess%2Fb/logs").json()
    assert [log["message_id"] for log in escaped["logs"]] == ["b1"]


def test_unknown_session_and_log_are_404(client: httpx.Client) -> None:
    assert client.get("/v1/sessions/nope/logs").status_code == 404
    missing = client.get("/v1/logs/nope")
    assert missing.status_code == 404
    assert "nope" in missing.json()["error"]


def test_get_one_log_returns_the_stored_body(client: httpx.Client, make_log: LogFactory) -> None:
    body = make_log(message_id="one", metaData={"k": "v"}, step_data=[{"user_question": "q"}])
    client.post(INGEST_PATH, json=body)
    assert client.get("/v1/logs/one").json() == body


def test_list_logs_with_filter_and_limit(client: httpx.Client, make_log: LogFactory) -> None:
    _seed(client, make_log)
    every = client.get("/v1/logs").json()["logs"]
    assert [log["message_id"] for log in every] == ["a1", "b1", "a2", "loose"]
    limited = client.get("/v1/logs", params={"limit": 2}).json()["logs"]
    assert [log["message_id"] for log in limited] == ["a1", "b1"]
    filtered = client.get("/v1/logs", params={"session_id": "sess-a"}).json()["logs"]
    assert [log["message_id"] for log in filtered] == ["a1", "a2"]
    assert client.get("/v1/logs", params={"limit": "-1"}).status_code == 400


def test_read_api_needs_the_key(server: LocalServer) -> None:
    for path in ("/v1/sessions", "/v1/logs", "/v1/logs/x", "/v1/sessions/x/logs"):
        assert httpx.get(server.url + path).status_code == 401
        assert httpx.get(server.url + path, headers={"Authorization": "Bearer bad"}).status_code == 401


def test_python_store_api_matches_http(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    _seed(client, make_log)
    assert server.store.count() == 4
    assert [log["message_id"] for log in server.store.logs(session_id="sess-a")] == ["a1", "a2"]
    assert server.store.sessions() == client.get("/v1/sessions").json()["sessions"]
    assert server.store.get_log("loose") == client.get("/v1/logs/loose").json()
    assert server.store.get_log("missing") is None
