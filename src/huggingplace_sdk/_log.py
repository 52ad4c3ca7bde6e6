"""Structured logging on the stdlib logger ``huggingplace``: one line per request attempt outcome.

The line is rendered as JSON or as ``key=value`` text (the client's ``log_format``); the same fields are
attached to the record as ``record.huggingplace`` for handlers that want them. We only add records and
never install handlers: where lines go stays the application's decision. Lines never carry headers, so
never the API key.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Final

LOGGER_NAME: Final = "huggingplace"
logger = logging.getLogger(LOGGER_NAME)

OUTCOME_OK: Final = "ok"
OUTCOME_RETRY: Final = "retry"
OUTCOME_FAILED: Final = "failed"


@dataclass(frozen=True)
class AttemptOutcome:
    """What happened to one HTTP attempt. ``attempt`` counts from 1; ``status`` is None without a response."""

    method: str
    path: str
    status: int | None
    attempt: int
    latency_ms: float
    message_id: str | None
    outcome: str
    error: str | None = None


def render(outcome: AttemptOutcome, log_format: str) -> str:
    """One line: a JSON object for ``json``, ``key=value`` pairs after ``METHOD path`` for ``text``."""
    fields = asdict(outcome)
    fields["latency_ms"] = round(outcome.latency_ms, 3)
    if log_format == "json":
        return json.dumps(fields, separators=(",", ":"))
    pairs = " ".join(
        f"{key}={value}"
        for key, value in fields.items()
        if key not in ("method", "path") and value is not None
    )
    return f"{outcome.method} {outcome.path} {pairs}"


def log_attempt(outcome: AttemptOutcome, log_format: str) -> None:
    """Log a success at INFO and a failed attempt (retried or final) at WARNING."""
    level = logging.INFO if outcome.outcome == OUTCOME_OK else logging.WARNING
    if logger.isEnabledFor(level):
        logger.log(level, "%s", render(outcome, log_format), extra={"huggingplace": asdict(outcome)})
