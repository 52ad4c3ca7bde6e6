"""The replay server through real clients: openai/anthropic (httpx2), httpx, requests and http.client."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import anthropic
import httpx
import openai
import pytest
import requests

from huggingplace_sdk.testing import (
    UNMATCHED_STATUS,
    ReplayServer,
    cassette_path,
    load_cassette,
    recorded_json,
    recorded_sse_events,
)

CHAT = cassette_path("openai", "test_chat__test_chat")
CHAT_STREAM = cassette_path("openai", "test_chat__test_chat_async_streaming")


def _openai(server: ReplayServer) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url=f"{server.base_url}/v1", max_retries=0)


def test_openai_client_gets_the_recorded_gzip_response() -> None:
    expected = recorded_json(load_cassette(CHAT)[0])
    with ReplayServer(CHAT) as server:
        completion = _openai(server).chat.completions.create(
            model="gpt-3.5-turbo",
            messages=[{"role": "user", "content": "Tell me a joke about opentelemetry"}],
        )
        assert completion.id == expected["id"]
        assert completion.usage is not None
        assert completion.usage.total_tokens == expected["usage"]["total_tokens"]
        sent = server.requests
        assert len(sent) == 1
        assert (sent[0].method, sent[0].path) == ("POST", "/v1/chat/completions")
        assert sent[0].json["model"] == "gpt-3.5-turbo"
        assert sent[0].headers["content-type"] == "application/json"
        assert sent[0].matched is not None and sent[0].matched.index == 0


def test_matches_follow_recorded_order_and_unused_shrinks() -> None:
    recorded = load_cassette(CHAT)
    assert len(recorded) >= 2  # the cassette holds several recordings of the same call
    with ReplayServer(CHAT) as server:
        client = _openai(server)
        assert server.unused() == recorded
        ids = []
        for _ in recorded:
            ids.append(client.chat.completions.create(model="gpt-3.5-turbo", messages=[]).id)
        assert ids == [recorded_json(i)["id"] for i in recorded]
        assert server.unused() == []
        assert server.served() == recorded


def test_unmatched_request_answers_599_without_retry_and_is_recorded() -> None:
    with ReplayServer(CHAT) as server:
        client = openai.OpenAI(api_key="sk-test", base_url=f"{server.base_url}/v1")  # default retries on
        with pytest.raises(openai.APIStatusError) as raised:
            client.embeddings.create(model="text-embedding-3-small", input="x")
        assert raised.value.status_code == UNMATCHED_STATUS
        assert "POST /v1/embeddings" in str(raised.value)
        assert CHAT.name in str(raised.value)
        assert [(r.path, r.matched) for r in server.requests] == [("/v1/embeddings", None)]
        assert server.unused() == load_cassette(CHAT)


def test_exhausted_cursor_answers_599() -> None:
    with ReplayServer(CHAT) as server:
        for _ in load_cassette(CHAT):
            assert httpx.post(f"{server.base_url}/v1/chat/completions", json={}).status_code == 200
        assert httpx.post(f"{server.base_url}/v1/chat/completions", json={}).status_code == UNMATCHED_STATUS


def test_openai_stream_yields_every_recorded_chunk() -> None:
    events = recorded_sse_events(load_cassette(CHAT_STREAM)[0])
    with ReplayServer(CHAT_STREAM) as server:
        stream = _openai(server).chat.completions.create(model="gpt-3.5-turbo", messages=[], stream=True)
        chunks = list(stream)
    assert [c.id for c in chunks] == [e["id"] for e in events]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "".join(e["choices"][0]["delta"].get("content") or "" for e in events)


async def test_async_openai_stream_and_server_works_from_an_event_loop() -> None:
    events = recorded_sse_events(load_cassette(CHAT_STREAM)[0])
    with ReplayServer(CHAT_STREAM) as server:
        client = openai.AsyncOpenAI(api_key="sk-test", base_url=f"{server.base_url}/v1", max_retries=0)
        stream = await client.chat.completions.create(model="gpt-3.5-turbo", messages=[], stream=True)
        count = 0
        async for _ in stream:
            count += 1
        await client.close()
    assert count == len(events)


def test_sse_is_sent_one_event_per_http_chunk() -> None:
    interaction = load_cassette(CHAT_STREAM)[0]
    first_event = interaction.response.body.split(b"\n\n")[0] + b"\n\n"
    with ReplayServer(CHAT_STREAM) as server:
        address = urlsplit(server.base_url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port)
        connection.request("POST", "/v1/chat/completions", body=b"{}")
        response = connection.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.getheader("Content-Length") is None
        # read1 returns at most what is left of the current HTTP chunk: exactly the first event.
        assert response.read1(1 << 20) == first_event
        rest = response.read()
        connection.close()
    assert first_event + rest == interaction.response.body


def test_hop_by_hop_headers_dropped_and_length_recomputed() -> None:
    interaction = load_cassette(CHAT)[0]
    assert interaction.response.header("transfer-encoding") == "chunked"  # as recorded
    with ReplayServer(CHAT) as server:
        response = requests.post(f"{server.base_url}/v1/chat/completions", json={}, timeout=10)
    assert response.status_code == 200
    assert "transfer-encoding" not in {k.lower() for k in response.headers}
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(interaction.response.body)
    assert response.json() == recorded_json(interaction)  # requests decoded the recorded gzip
    assert response.headers["openai-version"] == interaction.response.header("openai-version")


def test_text_body_recorded_with_gzip_header_is_served_plain(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        "interactions:\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/v1/items?b=2&a=1'}\n"
        "  response:\n"
        "    body: {string: '{\"ok\": true}'}\n"
        "    headers: {Content-Type: [application/json], Content-Encoding: [gzip], Connection: [close]}\n"
        "    status: {code: 201, message: Created}\n"
        "version: 1\n"
    )
    with ReplayServer(path) as server:
        wrong_query = httpx.get(f"{server.base_url}/v1/items?a=1")
        response = httpx.get(f"{server.base_url}/v1/items?a=1&b=2")  # query order does not matter
    assert wrong_query.status_code == UNMATCHED_STATUS
    assert response.status_code == 201
    assert "content-encoding" not in response.headers
    assert response.json() == {"ok": True}
    assert [r.query for r in server.requests] == [(("a", "1"),), (("a", "1"), ("b", "2"))]


def test_anthropic_stream_through_the_real_client() -> None:
    path = cassette_path("anthropic", "test_messages__test_anthropic_message_streaming_legacy")
    recorded = load_cassette(path)
    events = recorded_sse_events(recorded[0])
    with ReplayServer(path) as server:
        client = anthropic.Anthropic(api_key="sk-ant-test", base_url=server.base_url, max_retries=0)
        stream = client.messages.create(
            model="claude-3-haiku-20240307", max_tokens=1024, messages=[], stream=True
        )
        types = [event.type for event in stream]
    # The anthropic client drops keep-alive "ping" events; everything else arrives in recorded order.
    assert types == [e["type"] for e in events if e["type"] != "ping"]
    assert "ping" in [e["type"] for e in events]


def test_bodies_recorded_without_headers_get_their_evident_content_type(tmp_path: Path) -> None:
    # The litellm cassettes kept no response headers; clients still need JSON and SSE labelled as such.
    path = tmp_path / "headerless.yaml"
    path.write_text(
        "interactions:\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/json'}\n"
        "  response: {body: {string: '{\"ok\": true}'}, headers: {}, status: {code: 200, message: OK}}\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/sse'}\n"
        "  response: {body: {string: \"event: a\\ndata: {}\\n\\nevent: b\\ndata: {}\\n\\n\"}, headers: {},\n"
        "             status: {code: 200, message: OK}}\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/text'}\n"
        "  response: {body: {string: 'plain words'}, headers: {}, status: {code: 200, message: OK}}\n"
        "version: 1\n"
    )
    with ReplayServer(path) as server, httpx.Client() as client:
        as_json = client.get(f"{server.base_url}/json")
        with client.stream("GET", f"{server.base_url}/sse") as sse:
            pieces = list(sse.iter_raw())
            sse_headers = sse.headers
        text = client.get(f"{server.base_url}/text")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json() == {"ok": True}
    assert sse_headers["content-type"] == "text/event-stream"
    assert sse_headers["transfer-encoding"] == "chunked"
    assert b"".join(pieces) == b"event: a\ndata: {}\n\nevent: b\ndata: {}\n\n"
    assert "content-type" not in text.headers
    assert text.text == "plain words"


def test_request_body_sent_chunked_is_read(tmp_path: Path) -> None:
    with ReplayServer(CHAT) as server:
        body = iter([b'{"model": ', b'"gpt-3.5-turbo"}'])
        response = httpx.post(f"{server.base_url}/v1/chat/completions", content=body)
        assert response.status_code == 200
        assert server.requests[0].json == {"model": "gpt-3.5-turbo"}


def test_base_url_requires_a_started_server() -> None:
    server = ReplayServer(CHAT)
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.base_url
    with server:
        assert server.base_url.startswith("http://127.0.0.1:")
    json.dumps([r.method for r in server.requests])  # requests stay readable after stop


def test_client_disconnects_are_not_reported_but_other_errors_are(capfd: pytest.CaptureFixture[str]) -> None:
    from huggingplace_sdk.testing._replay import _Server

    with ReplayServer(CHAT) as server:
        http_server = server._server
        assert isinstance(http_server, _Server)
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError:
            http_server.handle_error(None, ("127.0.0.1", 1))
        assert capfd.readouterr().err == ""
        try:
            raise ValueError("a real bug in the handler")
        except ValueError:
            http_server.handle_error(None, ("127.0.0.1", 1))
        assert "a real bug in the handler" in capfd.readouterr().err


def test_event_stream_recorded_without_headers_is_still_sent_one_event_per_chunk(tmp_path: Path) -> None:
    path = tmp_path / "headerless.yaml"
    path.write_text(
        "interactions:\n"
        "- request: {body: '', headers: {}, method: POST, uri: 'https://example.test/v1/stream?alt=sse'}\n"
        "  response:\n"
        "    body: {string: \"data: {\\\"n\\\": 1}\\r\\n\\r\\ndata: {\\\"n\\\": 2}\\r\\n\\r\\n\"}\n"
        "    headers: {}\n"
        "    status: {code: 200, message: OK}\n"
        "version: 1\n"
    )
    with ReplayServer(path) as server:
        address = urlsplit(server.base_url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port)
        connection.request("POST", "/v1/stream?alt=sse", body=b"{}")
        response = connection.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.getheader("Content-Type") == "text/event-stream"  # inferred: clients need to know
        assert response.read1(1 << 20) == b'data: {"n": 1}\r\n\r\n'
        assert response.read() == b'data: {"n": 2}\r\n\r\n'
        connection.close()
