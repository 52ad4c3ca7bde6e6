"""POST /v1/traces: OTLP/HTTP with protobuf and JSON bodies, gzip, partial success, 400/413/415, atomicity."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from huggingplace_sdk._server import DEFAULT_DEV_API_KEY, LocalServer

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON_TYPE = {"Content-Type": "application/json"}
TRACE_HEX = "5b8efff798038103d269b633813fc60c"
SPAN_HEX = "eee19b7ec3c1b174"


def _produce(server: LocalServer, compression: Compression = Compression.NoCompression) -> list[ReadableSpan]:
    """Spans made by the OpenTelemetry SDK and sent by its own OTLP/HTTP exporter (protobuf)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "receiver-test"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.add_span_processor(
        SimpleSpanProcessor(
            OTLPSpanExporter(
                endpoint=server.otlp_url,
                headers={"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"},
                compression=compression,
            )
        )
    )
    tracer = provider.get_tracer("tests.receiver", "1.2.3")
    with tracer.start_as_current_span("root", kind=SpanKind.SERVER, attributes={"session.id": "s-1"}) as root:  # noqa: SIM117 (the child links to root)
        with tracer.start_as_current_span(
            "chat gpt-x",
            kind=SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.usage.input_tokens": 11,
                "gen_ai.usage.output_tokens": 7,
                "gen_ai.response.finish_reasons": ("stop", "length"),
                "gen_ai.request.temperature": 0.5,
                "gen_ai.request.stream": True,
            },
            links=[Link(root.get_span_context(), {"why": "test"})],
        ) as child:
            child.add_event("exception", {"exception.type": "ValueError"})
            child.set_status(Status(StatusCode.ERROR, "boom"))
    provider.shutdown()
    return list(memory.get_finished_spans())


def test_spans_from_the_sdk_exporter_are_stored_whole(server: LocalServer) -> None:
    produced = _produce(server)
    root, child = sorted(produced, key=lambda s: s.start_time or 0)
    trace_id = f"{root.context.trace_id:032x}"
    stored = {span["name"]: span for span in server.traces.spans(trace_id)}
    assert set(stored) == {"root", "chat gpt-x"}
    got = stored["chat gpt-x"]
    assert got["span_id"] == f"{child.context.span_id:016x}"
    assert got["parent_span_id"] == f"{root.context.span_id:016x}"
    assert stored["root"]["parent_span_id"] is None
    assert (got["start_ns"], got["end_ns"]) == (child.start_time, child.end_time)
    assert got["kind"] == 3 and stored["root"]["kind"] == 2  # OTLP SpanKind: CLIENT, SERVER
    assert got["status_code"] == 2 and got["status_message"] == "boom"
    assert got["attributes"] == {key: list(v) if isinstance(v, tuple) else v for key, v in child.attributes.items()}
    assert (got["input_tokens"], got["output_tokens"]) == (11, 7)
    assert got["events"][0]["name"] == "exception"
    assert got["events"][0]["attributes"] == {"exception.type": "ValueError"}
    assert got["links"] == [{"trace_id": trace_id, "span_id": stored["root"]["span_id"], "attributes": {"why": "test"}}]
    assert got["resource"]["service.name"] == "receiver-test"
    assert got["scope"] == {"name": "tests.receiver", "version": "1.2.3"}
    assert stored["root"]["session_id"] == "s-1"


def test_gzip_bodies_are_accepted(server: LocalServer) -> None:
    produced = _produce(server, Compression.Gzip)
    assert server.traces.span_count() == len(produced) == 2


def _json_request(*spans: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-app"}}]},
                "scopeSpans": [{"scope": {"name": "json-scope"}, "spans": list(spans)}],
            }
        ]
    }


def _json_span(name: str, trace_id: str = TRACE_HEX, span_id: str = SPAN_HEX, **extra: Any) -> dict[str, Any]:
    return {
        "traceId": trace_id,
        "spanId": span_id,
        "name": name,
        "kind": 3,
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000000250000000",
        **extra,
    }


def test_json_bodies_use_hex_ids_per_the_otlp_json_encoding(client: httpx.Client, server: LocalServer) -> None:
    span = _json_span(
        "json span",
        attributes=[
            {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "5"}},
            {"key": "flags", "value": {"arrayValue": {"values": [{"boolValue": True}, {"doubleValue": 1.5}]}}},
        ],
    )
    response = client.post("/v1/traces", content=json.dumps(_json_request(span)), headers=JSON_TYPE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "partialSuccess" not in response.json()
    [stored] = server.traces.spans(TRACE_HEX)
    assert stored["span_id"] == SPAN_HEX
    assert stored["attributes"] == {"gen_ai.usage.input_tokens": 5, "flags": [True, 1.5]}
    assert stored["end_ns"] - stored["start_ns"] == 250_000_000
    assert stored["resource"] == {"service.name": "json-app"}


def test_spans_with_invalid_ids_are_refused_as_partial_success(client: httpx.Client, server: LocalServer) -> None:
    good = _json_span("good")
    bad = _json_span("bad", trace_id="00000000000000000000000000000000")
    request = ExportTraceServiceRequest()
    from google.protobuf import json_format

    from huggingplace_sdk._server._otlp import _hex_ids_to_base64

    json_format.ParseDict(_hex_ids_to_base64(_json_request(good, bad)), request)
    response = client.post("/v1/traces", content=request.SerializeToString(), headers=PROTOBUF)
    assert response.status_code == 200
    answer = ExportTraceServiceResponse.FromString(response.content)
    assert answer.partial_success.rejected_spans == 1
    assert "'bad'" in answer.partial_success.error_message
    assert [span["name"] for span in server.traces.spans(TRACE_HEX)] == ["good"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"\xff\xff\xff", PROTOBUF, 400, "not a valid ExportTraceServiceRequest"),
        (b"{not json", JSON_TYPE, 400, "not valid JSON"),
        (b"[1, 2]", JSON_TYPE, 400, "must be a JSON object"),
        (json.dumps(_json_request(_json_span("x", trace_id="zz"))).encode(), JSON_TYPE, 400, "not hex-encoded"),
        (b'{"resourceSpans": 3}', JSON_TYPE, 400, "not a valid ExportTraceServiceRequest"),
        (b"{}", {"Content-Type": "text/plain"}, 415, "unsupported Content-Type"),
        (b"{}", {}, 415, "unsupported Content-Type"),
    ],
)
def test_refused_requests_store_nothing_and_the_server_keeps_serving(
    client: httpx.Client, server: LocalServer, body: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    response = client.post("/v1/traces", content=body, headers=headers)
    assert response.status_code == status
    if headers.get("Content-Type") == PROTOBUF["Content-Type"]:
        assert message.encode() in response.content  # a protobuf google.rpc.Status
    else:
        assert message in response.json()["message"]
    assert server.traces.span_count() == 0
    ok = client.post("/v1/traces", content=json.dumps(_json_request(_json_span("after"))), headers=JSON_TYPE)
    assert ok.status_code == 200 and server.traces.span_count() == 1


def test_bad_gzip_is_400(client: httpx.Client, server: LocalServer) -> None:
    response = client.post("/v1/traces", content=b"not gzip", headers={**JSON_TYPE, "Content-Encoding": "gzip"})
    assert response.status_code == 400
    assert server.traces.span_count() == 0


@pytest.fixture
def small_server() -> Iterator[LocalServer]:
    with LocalServer(max_body_bytes=2048) as running:
        yield running


def test_oversized_bodies_are_413_compressed_or_not(small_server: LocalServer) -> None:
    big = json.dumps(_json_request(*[_json_span(f"s{i}", span_id=f"{i + 1:016x}") for i in range(40)])).encode()
    auth = {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}
    with httpx.Client(base_url=small_server.url, headers=auth) as http:
        assert http.post("/v1/traces", content=big, headers=JSON_TYPE).status_code == 413
        squeezed = gzip.compress(big)
        assert len(squeezed) < 2048  # small on the wire, too large once inflated
        gz = {**JSON_TYPE, "Content-Encoding": "gzip"}
        assert http.post("/v1/traces", content=squeezed, headers=gz).status_code == 413
    assert small_server.traces.span_count() == 0
    with httpx.Client(base_url=small_server.url, headers=auth) as http:
        small = json.dumps(_json_request(_json_span("small"))).encode()
        assert http.post("/v1/traces", content=small, headers=JSON_TYPE).status_code == 200


def test_one_transaction_per_request(client: httpx.Client, server: LocalServer) -> None:
    # A database failure on the second span must leave the first one unstored too.
    with server.store.transaction() as conn:
        conn.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON spans WHEN NEW.name = 'poison'"
            " BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
        )
    body = json.dumps(_json_request(_json_span("fine"), _json_span("poison", span_id="0000000000000002")))
    response = client.post("/v1/traces", content=body, headers=JSON_TYPE)
    assert response.status_code == 500
    assert server.traces.span_count() == 0


def test_the_same_bearer_rule_as_every_endpoint(server: LocalServer) -> None:
    body = json.dumps(_json_request(_json_span("x")))
    assert httpx.post(server.otlp_url, content=body, headers=JSON_TYPE).status_code == 401
    wrong = {**JSON_TYPE, "Authorization": "Bearer wrong"}
    assert httpx.post(server.otlp_url, content=body, headers=wrong).status_code == 401
    # The viewer's sign-in cookie opens reads only, never a write.
    with httpx.Client(base_url=server.url) as browser:
        assert browser.get(server.login_url().removeprefix(server.url)).status_code == 303
        assert browser.get("/v1/traces").status_code == 200
        assert browser.post("/v1/traces", content=body, headers=JSON_TYPE).status_code == 401
    assert server.traces.span_count() == 0
