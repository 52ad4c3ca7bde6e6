from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import httpx
import pytest

from huggingplace_sdk._server import INGEST_PATH, LocalServer

LogFactory = Callable[..., dict[str, Any]]


def test_fail_next_three_503_then_ok_stores_once(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    server.faults.fail_next(3)
    statuses = [client.post(INGEST_PATH, json=make_log(message_id="retry-me")).status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]
    assert server.requests_seen == 4
    assert server.store.count() == 1
    assert server.faults.pending == 0


def test_failed_request_carries_json_error_and_stores_nothing(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    server.faults.fail_next(1, status=500)
    response = client.post(INGEST_PATH, json=make_log())
    assert response.status_code == 500
    assert response.json() == {"error": "injected fault"}
    assert server.store.count() == 0


@pytest.mark.parametrize(
    "retry_after",
    ["7", format_datetime(datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc), usegmt=True)],
    ids=["delta-seconds", "http-date"],
)
def test_429_with_retry_after_in_both_forms(
    server: LocalServer, client: httpx.Client, make_log: LogFactory, retry_after: str
) -> None:
    server.faults.fail_next(1, status=429, retry_after=retry_after)
    limited = client.post(INGEST_PATH, json=make_log())
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == retry_after
    if not retry_after.isdigit():
        assert parsedate_to_datetime(limited.headers["Retry-After"]).year == 2030
    assert client.post(INGEST_PATH, json=make_log()).status_code == 200


def test_custom_fault_body(server: LocalServer, client: httpx.Client, make_log: LogFactory) -> None:
    server.faults.fail_next(1, status=502, body="bad gateway from the proxy")
    server.faults.fail_next(1, status=400, body={"message": "scripted", "field": "user_prompt"})
    first = client.post(INGEST_PATH, json=make_log())
    assert (first.status_code, first.text) == (502, "bad gateway from the proxy")
    second = client.post(INGEST_PATH, json=make_log())
    assert (second.status_code, second.json()["field"]) == (400, "user_prompt")


def test_faults_come_before_auth_and_reads_are_not_faulted(server: LocalServer, make_log: LogFactory) -> None:
    server.faults.fail_next(1, status=503)
    assert httpx.post(server.ingest_url, json=make_log()).status_code == 503  # no key, still the fault
    server.faults.fail_next(1)
    assert httpx.get(server.url + "/v1/sessions").status_code == 401
    assert server.faults.pending == 1


def test_faults_are_taken_in_scripted_order(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    server.faults.fail_next(1, status=503)
    server.faults.fail_next(1, status=429, retry_after="1")
    server.faults.fail_next(1, status=504)
    statuses = [client.post(INGEST_PATH, json=make_log()).status_code for _ in range(4)]
    assert statuses == [503, 429, 504, 200]


def test_clear_forgets_scripted_faults(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    server.faults.fail_next(5)
    server.faults.clear()
    assert server.faults.pending == 0
    assert client.post(INGEST_PATH, json=make_log()).status_code == 200


def test_invalid_fault_scripts_are_refused(server: LocalServer) -> None:
    with pytest.raises(ValueError):
        server.faults.fail_next(-1)
    with pytest.raises(ValueError):
        server.faults.fail_next(1, status=42)
    with pytest.raises(TypeError):
        server.faults.fail_next(1, status=429, retry_after=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        server.faults.hang_next(-2)


def test_hang_then_release_lets_the_request_complete(
    server: LocalServer, auth: dict[str, str], make_log: LogFactory
) -> None:
    server.faults.hang_next(1)
    with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=server.url, headers=auth, timeout=10) as http:
        pending = pool.submit(http.post, INGEST_PATH, json=make_log(message_id="held"))
        assert server.faults.wait_for_held(1, timeout=10)
        assert not pending.done()
        assert server.store.count() == 0
        server.faults.release()
        response = pending.result(timeout=10)
    assert response.status_code == 200
    assert server.store.get_log("held") is not None
    assert server.faults.held == 0


def test_hang_times_out_a_client_with_a_short_timeout(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    server.faults.hang_next(1)
    with pytest.raises(httpx.ReadTimeout):
        client.post(INGEST_PATH, json=make_log(message_id="late"), timeout=0.2)
    # On a loaded machine the client may give up before the server thread has even read the request.
    assert server.faults.wait_for_held(1, timeout=10)
    server.faults.release()  # the held request then goes on: a late arrival the client gave up on


def test_stop_drops_held_requests_without_hanging(auth: dict[str, str], make_log: LogFactory) -> None:
    server = LocalServer().start()
    server.faults.hang_next(2)
    with ThreadPoolExecutor(2) as pool:
        clients = [httpx.Client(base_url=server.url, headers=auth, timeout=10) for _ in range(2)]
        futures = [pool.submit(c.post, INGEST_PATH, json=make_log()) for c in clients]
        assert server.faults.wait_for_held(2, timeout=10)
        started = time.monotonic()
        server.stop()
        stop_seconds = time.monotonic() - started
        for future in futures:
            with pytest.raises(httpx.TransportError):
                future.result(timeout=10)
        for c in clients:
            c.close()
    assert stop_seconds < 2.0
    assert server.store.count() == 0


def test_stop_with_an_idle_keep_alive_connection_does_not_wait(auth: dict[str, str]) -> None:
    server = LocalServer().start()
    with httpx.Client(base_url=server.url, headers=auth, timeout=5) as http:
        assert http.get("/v1/sessions").status_code == 200  # connection now idle in the pool
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2.0
        with pytest.raises(httpx.TransportError):
            http.get("/v1/sessions")


# --- control endpoint -----------------------------------------------------------------------------
def test_control_endpoint_scripts_failures(
    server: LocalServer, client: httpx.Client, make_log: LogFactory
) -> None:
    answer = client.post("/_control/faults", json={"fail_next": 2, "status": 429, "retry_after": 3})
    assert answer.status_code == 200
    assert answer.json()["pending"] == 2
    first = client.post(INGEST_PATH, json=make_log())
    assert (first.status_code, first.headers["Retry-After"]) == (429, "3")
    assert client.post(INGEST_PATH, json=make_log()).status_code == 429
    assert client.post(INGEST_PATH, json=make_log()).status_code == 200
    state = client.get("/_control/faults").json()
    assert state == {"pending": 0, "held": 0, "requests_seen": 3}


def test_control_endpoint_hang_and_release(
    server: LocalServer, auth: dict[str, str], make_log: LogFactory
) -> None:
    with (
        httpx.Client(base_url=server.url, headers=auth, timeout=10) as control,
        ThreadPoolExecutor(1) as pool,
    ):
        assert control.post("/_control/faults", json={"hang_next": 1}).json()["pending"] == 1
        with httpx.Client(base_url=server.url, headers=auth, timeout=10) as app:
            pending = pool.submit(app.post, INGEST_PATH, json=make_log(message_id="via-http"))
            assert server.faults.wait_for_held(1, timeout=10)
            assert control.get("/_control/faults").json()["held"] == 1
            assert control.post("/_control/faults", json={"release": True}).status_code == 200
            assert pending.result(timeout=10).status_code == 200
    assert server.store.get_log("via-http") is not None


@pytest.mark.parametrize(
    "payload",
    [
        {"fail_next": -1},
        {"fail_next": "2"},
        {"fail_next": 1, "status": 99},
        {"hang_next": True},
        {"nope": 1},
        [],
    ],
)
def test_control_endpoint_refuses_bad_scripts(client: httpx.Client, payload: object) -> None:
    response = client.post("/_control/faults", json=payload)
    assert response.status_code == 400
    assert response.json()["message"]


def test_control_endpoint_needs_the_key(server: LocalServer) -> None:
    assert httpx.post(server.url + "/_control/faults", json={"fail_next": 1}).status_code == 401
    assert server.faults.pending == 0


def test_control_endpoint_is_off_unless_enabled(auth: dict[str, str]) -> None:
    with LocalServer(enable_fault_injection=False) as server:
        response = httpx.post(server.url + "/_control/faults", json={"fail_next": 1}, headers=auth)
        assert response.status_code == 404
        assert "--enable-fault-injection" in response.json()["error"]
        assert server.faults.pending == 0
        server.faults.fail_next(1)  # the Python API still works in-process
        assert httpx.get(server.url + "/_control/faults", headers=auth).status_code == 404
