"""OTLP/HTTP traces: decode an ExportTraceServiceRequest (protobuf or JSON), answer in the request's encoding.

Decoding uses the official ``opentelemetry-proto`` messages. OTLP/JSON differs from protobuf's canonical
JSON in one way that matters here: trace and span ids are hex strings, not base64, so they are rewritten
before ``json_format`` parses the body.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from .. import _semconv as sc

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
MEDIA_TYPES = (PROTOBUF, JSON)

_HEX_ID_FIELDS = frozenset({"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"})
_GRPC_INVALID_ARGUMENT = 3  # google.rpc.Code, carried in the Status body of a 4xx answer


class OtlpRefused(Exception):
    """The whole request is refused (nothing stored): ``status`` is 400 or 415."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class SpanRow:
    """One received span, flattened for storage; JSON-able dicts for the open-ended parts."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: int
    start_ns: int
    end_ns: int
    status_code: int
    status_message: str
    attributes: dict[str, Any]
    events: list[dict[str, Any]]
    links: list[dict[str, Any]]
    resource: dict[str, Any]
    scope: dict[str, Any]

    @property
    def session_id(self) -> str | None:
        value = self.attributes.get(sc.SESSION_ID)
        return value if isinstance(value, str) else None

    @property
    def user_id(self) -> str | None:
        value = self.attributes.get(sc.USER_ID)
        return value if isinstance(value, str) else None

    @property
    def model(self) -> str | None:
        for name in (sc.GEN_AI_RESPONSE_MODEL, sc.GEN_AI_REQUEST_MODEL):
            value = self.attributes.get(name)
            if isinstance(value, str):
                return value
        return None

    def tokens(self, name: str) -> int | None:
        value = self.attributes.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def media_type(headers: Mapping[str, str]) -> str:
    """The request's media type, or raise 415 for anything OTLP/HTTP does not define."""
    kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in MEDIA_TYPES:
        shown = kind or "none"
        raise OtlpRefused(415, f"unsupported Content-Type {shown!r}; use {PROTOBUF} or {JSON}")
    return kind


def parse_request(body: bytes, kind: str) -> ExportTraceServiceRequest:
    message = ExportTraceServiceRequest()
    if kind == PROTOBUF:
        try:
            message.ParseFromString(body)
        except DecodeError as exc:
            raise OtlpRefused(400, f"body is not a valid ExportTraceServiceRequest: {exc}") from None
        return message
    try:
        document = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise OtlpRefused(400, f"body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise OtlpRefused(400, "body must be a JSON object (ExportTraceServiceRequest)")
    try:
        json_format.ParseDict(_hex_ids_to_base64(document), message)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise OtlpRefused(400, f"body is not a valid ExportTraceServiceRequest: {exc}") from None
    return message


def _hex_ids_to_base64(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _hex_to_base64(item) if key in _HEX_ID_FIELDS and isinstance(item, str) else _hex_ids_to_base64(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_hex_ids_to_base64(item) for item in value]
    return value


def _hex_to_base64(text: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(text)).decode("ascii")
    except ValueError:
        raise OtlpRefused(400, f"id {text[:40]!r} is not hex-encoded (OTLP/JSON ids are hex strings)") from None


def any_value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if which == "bytes_value":
        return binascii.hexlify(value.bytes_value).decode("ascii")
    return getattr(value, which)


def attributes(pairs: Any) -> dict[str, Any]:
    items: list[KeyValue] = list(pairs)
    return {pair.key: any_value(pair.value) for pair in items}


def _valid_id(raw: bytes, size: int) -> bool:
    return len(raw) == size and raw != bytes(size)


def span_rows(request: ExportTraceServiceRequest) -> tuple[list[SpanRow], list[str]]:
    """The acceptable spans, and one reason per refused span (bad ids): the partial-success rule."""
    rows: list[SpanRow] = []
    refused: list[str] = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            scope = {"name": scope_spans.scope.name, "version": scope_spans.scope.version}
            for span in scope_spans.spans:
                if not _valid_id(span.trace_id, 16) or not _valid_id(span.span_id, 8):
                    refused.append(f"span {span.name!r}: trace_id must be 16 bytes and span_id 8, not all zero")
                    continue
                rows.append(
                    SpanRow(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex() if span.parent_span_id else None,
                        name=span.name,
                        kind=int(span.kind),
                        start_ns=int(span.start_time_unix_nano),
                        end_ns=int(span.end_time_unix_nano),
                        status_code=int(span.status.code),
                        status_message=span.status.message,
                        attributes=attributes(span.attributes),
                        events=[
                            {"name": event.name, "time_ns": int(event.time_unix_nano),
                             "attributes": attributes(event.attributes)}
                            for event in span.events
                        ],
                        links=[
                            {"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex(),
                             "attributes": attributes(link.attributes)}
                            for link in span.links
                        ],
                        resource=resource,
                        scope=scope,
                    )
                )
    return rows, refused


def encode_response(kind: str, refused: list[str]) -> bytes:
    """ExportTraceServiceResponse; ``partial_success`` only when some spans were refused (per the spec)."""
    response = ExportTraceServiceResponse()
    if refused:
        response.partial_success.rejected_spans = len(refused)
        response.partial_success.error_message = "; ".join(refused[:5])
    if kind == PROTOBUF:
        return bytes(response.SerializeToString())
    return str(json_format.MessageToJson(response, indent=None)).encode()


def encode_status(kind: str, message: str) -> tuple[bytes, str]:
    """A google.rpc.Status body for a refused request, in the request's encoding when we know it."""
    if kind == PROTOBUF:
        # Status is two scalar fields; encoded by hand to avoid a googleapis-common-protos dependency.
        text = message.encode()
        return b"\x08" + _varint(_GRPC_INVALID_ARGUMENT) + b"\x12" + _varint(len(text)) + text, PROTOBUF
    return json.dumps({"code": _GRPC_INVALID_ARGUMENT, "message": message}).encode(), JSON


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
