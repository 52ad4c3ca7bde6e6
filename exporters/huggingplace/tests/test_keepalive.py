"""The lean keep-alive path: stale connections, refused connections, timeouts, proxies."""

from __future__ import annotations

import socket

import httpx
import pytest
from huggingplace_exporter._keepalive import KeepAliveConnections, direct_connection_possible

from huggingplace_sdk._server import INGEST_PATH, LocalServer

LOG = b'{"user_prompt":"p","ai_response":"r","org_id":"o","mode":"prod","message_id":"%s"}'
HEADERS = {"Content-Type": "application/json"}


def test_one_connection_is_reused_and_a_connection_the_server_closed_is_replaced() -> None:
    with LocalServer(api_key=None) as server:
        connections = KeepAliveConnections(server.url)
        try:
            first = connections.post(INGEST_PATH, LOG % b"k-1", HEADERS, 5.0)
            second = connections.post(INGEST_PATH, LOG % b"k-2", HEADERS, 5.0)
            assert (first.status_code, second.status_code) == (200, 200)
            assert len(connections._open) == 1  # kept alive
            server.stop()  # closes the idle keep-alive connection on the server's side
            server.start()  # same port
            third = connections.post(INGEST_PATH, LOG % b"k-3", HEADERS, 5.0)
            assert third.status_code == 200 and third.json()["message_id"] == "k-3"
            assert server.store.count() == 3
        finally:
            connections.close()


def test_nothing_listening_raises_the_httpx_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connections = KeepAliveConnections(f"http://127.0.0.1:{port}")
    with pytest.raises(httpx.ConnectError):
        connections.post(INGEST_PATH, LOG % b"x", HEADERS, 1.0)


def test_a_held_request_times_out_as_an_httpx_timeout() -> None:
    with LocalServer(api_key=None) as server:
        server.faults.hang_next(1)
        connections = KeepAliveConnections(server.url)
        try:
            with pytest.raises(httpx.TimeoutException):
                connections.post(INGEST_PATH, LOG % b"held", HEADERS, 0.05)
            assert connections._open == set()  # a timed-out connection is never reused
        finally:
            server.faults.clear()
            connections.close()


def test_a_base_path_prefix_is_kept() -> None:
    with LocalServer(api_key=None) as server:
        connections = KeepAliveConnections(server.url + "/prefix/")
        try:
            assert connections.post(INGEST_PATH, LOG % b"p", HEADERS, 5.0).status_code == 404
        finally:
            connections.close()


def test_a_configured_proxy_sends_the_exporter_through_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                 "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert direct_connection_possible("http://127.0.0.1:8787")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert not direct_connection_possible("https://anvsj57nul.execute-api.ap-south-1.amazonaws.com")
    assert direct_connection_possible("http://127.0.0.1:8787")  # only https is proxied
    monkeypatch.setenv("NO_PROXY", "amazonaws.com")
    assert direct_connection_possible("https://anvsj57nul.execute-api.ap-south-1.amazonaws.com")
