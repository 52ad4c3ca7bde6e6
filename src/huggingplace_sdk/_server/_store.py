"""SQLite storage of received logs: the full JSON body plus indexed columns.

One connection shared by the request threads behind a lock: SQLite serialises writers anyway, and a single
connection is what makes ``":memory:"`` databases visible to every thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

MEMORY = ":memory:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS logs (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    session_id TEXT,
    user_id    TEXT,
    org_id     TEXT,
    created_at TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_session_id ON logs(session_id);
CREATE INDEX IF NOT EXISTS logs_user_id ON logs(user_id);
CREATE INDEX IF NOT EXISTS logs_org_id ON logs(org_id);
CREATE INDEX IF NOT EXISTS logs_created_at ON logs(created_at);
CREATE INDEX IF NOT EXISTS logs_trace_id ON logs(
    COALESCE(json_extract(body, '$.metaData.trace_id'), json_extract(body, '$.metadata.trace_id')));
"""

# Spans received over OTLP (written and read by ``_traces.TraceStore``): ids as lower-case hex, times in
# ns since the epoch; session, user, model and the inference span's own tokens are columns for the viewer.
_SPANS_SCHEMA = """
CREATE TABLE IF NOT EXISTS spans (
    trace_id       TEXT NOT NULL,
    span_id        TEXT NOT NULL,
    parent_span_id TEXT,
    name           TEXT NOT NULL,
    kind           INTEGER NOT NULL,
    start_ns       INTEGER NOT NULL,
    end_ns         INTEGER NOT NULL,
    status_code    INTEGER NOT NULL,
    status_message TEXT NOT NULL,
    session_id     TEXT,
    user_id        TEXT,
    model          TEXT,
    input_tokens   INTEGER,
    output_tokens  INTEGER,
    attributes     TEXT NOT NULL,
    events         TEXT NOT NULL,
    links          TEXT NOT NULL,
    resource       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_session_id ON spans(session_id);
CREATE INDEX IF NOT EXISTS spans_start_ns ON spans(start_ns);
"""

InsertStatus = Literal["stored", "duplicate"]


@dataclass(frozen=True, slots=True)
class InsertResult:
    message_id: str
    status: InsertStatus


def new_message_id() -> str:
    return uuid.uuid4().hex


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class LogStore:
    """Logs keyed by ``message_id`` (unique: a second insert of the same id stores nothing)."""

    def __init__(self, db_path: str | Path = MEMORY) -> None:
        self._path = str(db_path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @property
    def path(self) -> str:
        return self._path

    @property
    def in_memory(self) -> bool:
        return self._path == MEMORY

    # --- connection --------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        # Called with the lock held. Opened lazily so the store is readable again after close().
        if self._conn is None:
            conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            if not self.in_memory:
                conn.execute("PRAGMA journal_mode=WAL")
                # WAL + NORMAL: every committed request survives a crash of this process.
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA + _SPANS_SCHEMA)
            self._conn = conn
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on error), for sibling stores."""
        with self._transaction() as conn:
            yield conn

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._query(sql, params)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def open(self) -> None:
        """Open (and create) the database now, so a bad path fails here rather than on a request."""
        with self._lock:
            self._connection()

    def close(self) -> None:
        """Release the file. An in-memory store keeps its data (it lives as long as this object)."""
        with self._lock:
            if self._conn is not None and not self.in_memory:
                self._conn.close()
                self._conn = None

    # --- writes ------------------------------------------------------------------------------------
    def insert_many(self, bodies: Iterable[dict[str, Any]]) -> list[InsertResult]:
        """Store each body in one transaction (one commit per request). Bodies lacking an id get one."""
        results: list[InsertResult] = []
        with self._transaction() as conn:
            for body in bodies:
                message_id = body.get("message_id")
                if not isinstance(message_id, str) or not message_id:
                    message_id = new_message_id()
                    body = {**body, "message_id": message_id}
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO logs (message_id, session_id, user_id, org_id, created_at, body)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        message_id,
                        _text_or_none(body.get("session_id")),
                        _text_or_none(body.get("user_id")),
                        _text_or_none(body.get("org_id")),
                        _utc_now(),
                        json.dumps(body, separators=(",", ":")),
                    ),
                )
                results.append(InsertResult(message_id, "stored" if cursor.rowcount == 1 else "duplicate"))
        return results

    def insert(self, body: dict[str, Any]) -> InsertResult:
        return self.insert_many([body])[0]

    # --- reads -------------------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    def logs(self, session_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored bodies (``message_id`` included) in arrival order, optionally of one session."""
        where, params = ("WHERE session_id = ?", (session_id,)) if session_id is not None else ("", ())
        sql = f"SELECT body FROM logs {where} ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [json.loads(row[0]) for row in self._query(sql, params)]

    def get_log(self, message_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT body FROM logs WHERE message_id = ?", (message_id,))
        return json.loads(rows[0][0]) if rows else None

    def sessions(self) -> list[dict[str, Any]]:
        """One entry per session id seen, first-seen order."""
        rows = self._query(
            "SELECT session_id, COUNT(*), MIN(created_at), MAX(created_at), MIN(seq) FROM logs"
            " WHERE session_id IS NOT NULL GROUP BY session_id ORDER BY MIN(seq)"
        )
        return [
            {"session_id": sid, "log_count": count, "first_seen": first, "last_seen": last}
            for sid, count, first, last, _ in rows
        ]

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM logs")[0][0])
