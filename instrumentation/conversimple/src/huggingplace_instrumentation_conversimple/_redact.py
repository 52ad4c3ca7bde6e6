"""Removes credentials from text we record (exception messages can carry URLs with keys in them)."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
_QUERY_SECRET = re.compile(
    r"(?i)\b(api[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|client[_-]?secret|token|code)"
    r"=[^&\s'\"]+"
)
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` without the given secret values, credential query parameters or auth headers."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
