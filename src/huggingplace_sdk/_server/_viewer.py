"""The web viewer's routes: static files shipped in ``viewer/``, the token sign-in, and its read API.

The page is plain HTML/CSS/JS (no build step). Its script renders every value with ``textContent``; the
Content-Security-Policy below forbids inline scripts as a second line of defence.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._access import set_cookie_header
from ._routes import BadRequest, Request, Response, Route, route
from ._traces import SessionFilter

if TYPE_CHECKING:
    from ._context import ServerContext

_ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
    " img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the sign-in URL holds a token
    "Cache-Control": "no-store",
}
_MAX_PAGE = 500


def _asset(name: str) -> bytes:
    return resources.files("huggingplace_sdk._server").joinpath("viewer").joinpath(name).read_bytes()


def index(ctx: ServerContext, request: Request) -> Response:
    return Response(200, _asset("index.html"), dict(_PAGE_HEADERS), content_type="text/html; charset=utf-8")


def asset(ctx: ServerContext, request: Request) -> Response:
    name = request.params["name"]
    if name not in _ASSETS:
        return Response(404, {"error": f"no viewer asset {name!r}"})
    return Response(200, _asset(name), dict(_PAGE_HEADERS), content_type=_ASSETS[name])


def login(ctx: ServerContext, request: Request) -> Response:
    """Spend a one-time token: set the cookie and go to the viewer (the URL's #fragment is kept)."""
    cookie = ctx.access.redeem(request.query_value("token") or "")
    if cookie is None:
        text = (
            "This sign-in link is unknown or was already used. Each link works once: "
            "open the newest one printed by `huggingplace serve`.\n"
        )
        return Response(403, text, dict(_PAGE_HEADERS), content_type="text/plain; charset=utf-8")
    headers = {**_PAGE_HEADERS, "Location": "/", "Set-Cookie": set_cookie_header(cookie)}
    return Response(303, b"", headers, content_type="text/plain; charset=utf-8")


def _count(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    text = request.query_value(name)
    if text is None or text == "":
        return default
    if not text.isdigit():
        raise BadRequest(f"{name} must be a non-negative integer", name)
    value = int(text)
    return min(value, maximum) if maximum is not None else value


def _iso_time(request: Request, name: str) -> str | None:
    text = request.query_value(name) or None
    if text is not None:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"{name} must be an ISO 8601 time, e.g. 2026-01-31T12:00:00+00:00", name) from None
    return text


def sessions(ctx: ServerContext, request: Request) -> Response:
    status = request.query_value("status") or None
    if status not in (None, "ok", "error"):
        raise BadRequest("status must be 'ok' or 'error'", "status")
    where = SessionFilter(
        session=request.query_value("session") or None,
        user=request.query_value("user") or None,
        model=request.query_value("model") or None,
        status=status,
        since=_iso_time(request, "since"),
        until=_iso_time(request, "until"),
    )
    offset = _count(request, "offset", 0)
    limit = _count(request, "limit", 50, _MAX_PAGE)
    page, total = ctx.trace_store.sessions(where, offset=offset, limit=limit)
    return Response(200, {"sessions": page, "total": total, "offset": offset, "limit": limit})


def session(ctx: ServerContext, request: Request) -> Response:
    session_id = unquote(request.params["session_id"])
    items = ctx.trace_store.session_interactions(session_id)
    if not items:
        return Response(404, {"error": f"no session {session_id!r}"})
    return Response(200, {"session_id": session_id, "interactions": items})


def traces(ctx: ServerContext, request: Request) -> Response:
    limit_text = request.query_value("limit")
    limit = _count(request, "limit", 0) if limit_text else None
    found = ctx.trace_store.traces(session_id=request.query_value("session_id"), limit=limit)
    return Response(200, {"traces": found})


def trace(ctx: ServerContext, request: Request) -> Response:
    trace_id = unquote(request.params["trace_id"]).lower()
    spans = ctx.trace_store.spans(trace_id)
    logs = ctx.trace_store.logs_of_trace(trace_id)
    if not spans and not logs:
        return Response(404, {"error": f"no trace {trace_id!r}"})
    body: dict[str, Any] = {"trace_id": trace_id, "spans": spans, "logs": logs}
    return Response(200, body)


ROUTES: list[Route] = [
    route("GET", "/", index, auth=False),
    route("GET", "/viewer/{name}", asset, auth=False),
    route("GET", "/login", login, auth=False),
    route("GET", "/v1/viewer/sessions", sessions, cookie=True),
    route("GET", "/v1/viewer/sessions/{session_id}", session, cookie=True),
    route("GET", "/v1/traces", traces, cookie=True),
    route("GET", "/v1/traces/{trace_id}", trace, cookie=True),
]
