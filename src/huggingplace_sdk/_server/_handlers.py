"""Endpoint handlers: ingest (single log or batch array), capabilities, the read API, and fault control.

In strict mode the server behaves like the published endpoint: a JSON array is refused with 400 and no
capability document is served, so nothing passes here that the real endpoint would refuse.

Bodies are checked with the client's own wire rules (``_wire.validate_wire_body``), so the server refuses
exactly what our client would refuse to send.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .._errors import ValidationError
from .._wire import CAPABILITIES_PATH, CAPABILITY_ARRAY_BATCHES, LOG_PATH, validate_wire_body
from . import _otlp, _viewer
from ._context import ServerContext
from ._routes import BadRequest, Request, Response, Route, route

INGEST_PATH = LOG_PATH  # the client posts here; one constant so the two never drift
OTLP_TRACES_PATH = "/v1/traces"


def _ok(body: Any) -> Response:
    return Response(200, body)


def _not_found(message: str) -> Response:
    return Response(404, {"error": message})


# --- ingest ----------------------------------------------------------------------------------------
def ingest(ctx: ServerContext, request: Request) -> Response:
    payload = request.json()
    if isinstance(payload, list):
        if ctx.strict:
            raise BadRequest("expected one log object per request, got a JSON array")
        return _ingest_batch(ctx, payload)
    try:
        validate_wire_body(payload)
    except ValidationError as exc:
        raise BadRequest(exc.message, exc.field) from None
    result = ctx.store.insert(payload)
    return _ok({"status": "ok", "message_id": result.message_id, "duplicate": result.status == "duplicate"})


def _ingest_batch(ctx: ServerContext, items: list[Any]) -> Response:
    if not items:
        raise BadRequest("batch is empty")
    results: list[dict[str, Any] | None] = [None] * len(items)
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(items):
        try:
            validate_wire_body(item)
        except ValidationError as exc:
            message_id = item.get("message_id") if isinstance(item, dict) else None
            results[index] = {
                "message_id": message_id if isinstance(message_id, str) else None,
                "status": "rejected",
                "error": exc.message,
                "field": exc.field,
            }
        else:
            valid.append((index, item))
    stored = ctx.store.insert_many(body for _, body in valid)
    for (index, _), result in zip(valid, stored, strict=True):
        results[index] = {"message_id": result.message_id, "status": result.status}
    return _ok({"results": results})


# --- OTLP/HTTP traces --------------------------------------------------------------------------------
def receive_traces(ctx: ServerContext, request: Request) -> Response:
    """OTLP/HTTP export: the valid spans stored in one transaction; bad ids refused as partial success."""
    try:
        kind = _otlp.media_type(request.headers)
        rows, refused = _otlp.span_rows(_otlp.parse_request(request.body, kind))
    except _otlp.OtlpRefused as exc:
        known = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        body, content_type = _otlp.encode_status(known, exc.message)
        return Response(exc.status, body, content_type=content_type)
    if rows:
        ctx.trace_store.insert_spans(rows)
    return Response(200, _otlp.encode_response(kind, refused), content_type=kind)


def capabilities(ctx: ServerContext, request: Request) -> Response:
    if ctx.strict:
        return _not_found(f"no route for GET {CAPABILITIES_PATH}")  # as the published endpoint answers
    return _ok({CAPABILITY_ARRAY_BATCHES: True, "ingest_path": INGEST_PATH})


# --- read API --------------------------------------------------------------------------------------
def list_sessions(ctx: ServerContext, request: Request) -> Response:
    return _ok({"sessions": ctx.store.sessions()})


def session_logs(ctx: ServerContext, request: Request) -> Response:
    session_id = unquote(request.params["session_id"])
    logs = ctx.store.logs(session_id=session_id)
    if not logs:
        return _not_found(f"no session {session_id!r}")
    return _ok({"session_id": session_id, "logs": logs})


def list_logs(ctx: ServerContext, request: Request) -> Response:
    limit_text = request.query_value("limit")
    limit: int | None = None
    if limit_text is not None:
        if not limit_text.isdigit():
            raise BadRequest("limit must be a non-negative integer", "limit")
        limit = int(limit_text)
    return _ok({"logs": ctx.store.logs(session_id=request.query_value("session_id"), limit=limit)})


def get_log(ctx: ServerContext, request: Request) -> Response:
    message_id = unquote(request.params["message_id"])
    body = ctx.store.get_log(message_id)
    return _ok(body) if body is not None else _not_found(f"no log {message_id!r}")


# --- fault control ---------------------------------------------------------------------------------
def _fault_state(ctx: ServerContext) -> dict[str, Any]:
    return {"pending": ctx.faults.pending, "held": ctx.faults.held, "requests_seen": ctx.requests_seen}


def _count(payload: dict[str, Any], name: str) -> int:
    value = payload[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest(f"{name} must be a non-negative integer", name)
    return value


def _disabled() -> Response:
    return _not_found("fault injection is disabled (start the server with --enable-fault-injection)")


def control_faults(ctx: ServerContext, request: Request) -> Response:
    if not ctx.fault_control:
        return _disabled()
    payload = request.json()
    if not isinstance(payload, dict):
        raise BadRequest("expected a JSON object")
    known = {"fail_next", "status", "retry_after", "body", "hang_next", "release", "clear"}
    unknown = sorted(set(payload) - known)
    if unknown:
        raise BadRequest(f"unknown keys: {', '.join(unknown)}", unknown[0])
    if payload.get("clear"):
        ctx.faults.clear()
    if "fail_next" in payload:
        status = payload.get("status", 503)
        retry_after = payload.get("retry_after")
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise BadRequest("status must be an HTTP status code", "status")
        if retry_after is not None and not isinstance(retry_after, (str, int)):
            raise BadRequest("retry_after must be a string or an integer", "retry_after")
        ctx.faults.fail_next(
            _count(payload, "fail_next"),
            status=status,
            retry_after=None if retry_after is None else str(retry_after),
            body=payload.get("body"),
        )
    if "hang_next" in payload:
        ctx.faults.hang_next(_count(payload, "hang_next"))
    if payload.get("release"):
        ctx.faults.release()
    return _ok({"status": "ok", **_fault_state(ctx)})


def fault_state(ctx: ServerContext, request: Request) -> Response:
    return _ok(_fault_state(ctx)) if ctx.fault_control else _disabled()


ROUTES: list[Route] = [
    route("POST", INGEST_PATH, ingest, faultable=True, counted=True),
    route("GET", CAPABILITIES_PATH, capabilities),
    route("GET", "/v1/sessions", list_sessions, cookie=True),
    route("GET", "/v1/sessions/{session_id}/logs", session_logs, cookie=True),
    route("GET", "/v1/logs", list_logs, cookie=True),
    route("GET", "/v1/logs/{message_id}", get_log, cookie=True),
    route("POST", OTLP_TRACES_PATH, receive_traces),
    *_viewer.ROUTES,
    route("POST", "/_control/faults", control_faults),
    route("GET", "/_control/faults", fault_state),
]
