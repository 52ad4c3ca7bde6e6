"""Browser access to the viewer: one-time login tokens exchanged for an HttpOnly, SameSite cookie.

The Jupyter convention: ``huggingplace serve`` prints a URL holding a one-time token; opening it sets a
cookie and the token is spent. The cookie only opens read routes (GET); every write still needs the
Bearer key, so a page on another site cannot make the browser post to the server.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Mapping

COOKIE_NAME = "hp_viewer"
_MAX_BROWSER_SESSIONS = 256  # the oldest sign-in is forgotten beyond this


class ViewerAccess:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._sessions: list[str] = []

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return token

    def redeem(self, token: str) -> str | None:
        """A new cookie value for a valid unused token (spent now), else None."""
        with self._lock:
            if token not in self._tokens:
                return None
            self._tokens.discard(token)
            cookie = secrets.token_urlsafe(32)
            self._sessions.append(cookie)
            del self._sessions[:-_MAX_BROWSER_SESSIONS]
            return cookie

    def signed_in(self, headers: Mapping[str, str]) -> bool:
        value = _cookie_value(headers.get("cookie", ""), COOKIE_NAME)
        if not value:
            return False
        with self._lock:
            return any(hmac.compare_digest(value, known) for known in self._sessions)


def set_cookie_header(value: str) -> str:
    return f"{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict"


def _cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
