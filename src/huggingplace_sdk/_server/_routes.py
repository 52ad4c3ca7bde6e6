"""The route table: (method, path pattern) -> handler, plus the request/response values handlers see.

The ingest endpoints, the OTLP receiver and the viewer are rows; the HTTP layer only dispatches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._context import ServerContext


class BadRequest(Exception):
    """Raised by a handler (or body parsing) for a 400 answer."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(slots=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        if not self.body:
            raise BadRequest("request body is empty; expected JSON")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"request body is not valid JSON: {exc}") from None

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(slots=True)
class Response:
    status: int
    body: Any = None  # JSON value, or bytes sent as-is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    drop: bool = False  # close the connection without answering (a held request at shutdown)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, separators=(",", ":")).encode()


Handler = Callable[["ServerContext", Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool = True
    faultable: bool = False  # scripted faults apply to this route
    counted: bool = False  # counted in requests_seen
    cookie: bool = False  # the viewer's sign-in cookie is accepted instead of the Bearer key (reads only)


def route(method: str, path: str, handler: Handler, **options: bool) -> Route:
    """``path`` may hold ``{name}`` segments, matched as one non-empty path segment."""
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return Route(method, re.compile(f"^{regex}$"), handler, **options)


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self._routes = routes

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The route and its path parameters; the flag tells whether the path exists for another method."""
        path_known = False
        for candidate in self._routes:
            found = candidate.pattern.match(path)
            if found is None:
                continue
            if candidate.method == method:
                return candidate, found.groupdict(), True
            path_known = True
        return None, {}, path_known
