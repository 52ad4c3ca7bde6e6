"""Spans received over OTLP, in the same SQLite file as the logs, and the summaries the viewer reads.

Writes go through ``LogStore.transaction()`` (one transaction per request, so a refused request stores
nothing). Sessions join both sources: spans by ``session.id`` and logs by ``session_id``; a log is linked
to its trace through the ``metadata.trace_id`` the HuggingPlace exporter puts in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .. import _semconv as sc
from ._otlp import SpanRow
from ._store import LogStore

STATUS_ERROR = 2  # OTLP Status.code

_SPAN_COLUMNS = (
    "trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, status_message,"
    " session_id, user_id, model, input_tokens, output_tokens, attributes, events, links, resource, scope"
)
# The wire spells it ``metaData`` (the published SDK's name); accept ``metadata`` too.
_LOG_META = "COALESCE(json_extract(body, '$.metaData.{0}'), json_extract(body, '$.metadata.{0}'))"
_LOG_TRACE_ID = _LOG_META.format("trace_id")


_dump = json.JSONEncoder(separators=(",", ":"), default=str).encode  # one encoder: ingest is per span
_EMPTY_LIST = "[]"


def _iso(ns: int | None) -> str | None:
    if not ns:
        return None
    return datetime.fromtimestamp(ns / 1e9, timezone.utc).isoformat(timespec="milliseconds")


def _ns(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1e9)


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """Substring match on session and user, exact model, ``ok``/``error`` status, time window (ISO)."""

    session: str | None = None
    user: str | None = None
    model: str | None = None
    status: str | None = None
    since: str | None = None
    until: str | None = None


class TraceStore:
    def __init__(self, logs: LogStore) -> None:
        self._logs = logs

    # --- writes ------------------------------------------------------------------------------------
    def insert_spans(self, rows: Iterable[SpanRow]) -> int:
        """Store spans in one transaction; a span sent again (same trace and span id) replaces the first."""
        received = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        shared: dict[int, str] = {}  # spans of one resource / scope share its dict: encode it once

        def once(value: dict[str, Any]) -> str:
            text = shared.get(id(value))
            if text is None:
                text = shared[id(value)] = _dump(value)
            return text

        values = [
            (
                row.trace_id, row.span_id, row.parent_span_id, row.name, row.kind, row.start_ns, row.end_ns,
                row.status_code, row.status_message, row.session_id, row.user_id, row.model,
                row.tokens(sc.GEN_AI_USAGE_INPUT_TOKENS), row.tokens(sc.GEN_AI_USAGE_OUTPUT_TOKENS),
                _dump(row.attributes), _dump(row.events) if row.events else _EMPTY_LIST,
                _dump(row.links) if row.links else _EMPTY_LIST, once(row.resource), once(row.scope), received,
            )
            for row in rows
        ]
        with self._logs.transaction() as conn:
            conn.executemany(
                f"INSERT OR REPLACE INTO spans ({_SPAN_COLUMNS}, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        return len(values)

    # --- reads -------------------------------------------------------------------------------------
    def span_count(self) -> int:
        return int(self._logs.query("SELECT COUNT(*) FROM spans")[0][0])

    def spans(self, trace_id: str) -> list[dict[str, Any]]:
        rows = self._logs.query(
            f"SELECT {_SPAN_COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_ns, span_id", (trace_id,)
        )
        return [_span_dict(row) for row in rows]

    def logs_of_trace(self, trace_id: str) -> list[dict[str, Any]]:
        rows = self._logs.query(f"SELECT body FROM logs WHERE {_LOG_TRACE_ID} = ? ORDER BY seq", (trace_id,))
        return [json.loads(row[0]) for row in rows]

    def traces(self, session_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Trace summaries, most recent first: root name, times, tokens of inference spans, errors."""
        where, params = ("WHERE session_id = ?", (session_id,)) if session_id is not None else ("", ())
        sql = (
            "SELECT trace_id, MIN(start_ns), MAX(end_ns), COUNT(*), SUM(input_tokens), SUM(output_tokens),"
            " SUM(status_code = 2), MAX(session_id), MAX(user_id) FROM spans"
            f" WHERE trace_id IN (SELECT trace_id FROM spans {where})"
            " GROUP BY trace_id ORDER BY MIN(start_ns) DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        summaries = []
        for trace_id, start, end, count, tokens_in, tokens_out, errors, session, user in self._logs.query(
            sql, params
        ):
            roots = self._logs.query(
                "SELECT name FROM spans WHERE trace_id = ? AND (parent_span_id IS NULL OR parent_span_id NOT IN"
                " (SELECT span_id FROM spans WHERE trace_id = ?)) ORDER BY start_ns LIMIT 1",
                (trace_id, trace_id),
            )
            summaries.append(
                {
                    "trace_id": trace_id,
                    "root_name": roots[0][0] if roots else None,
                    "start": _iso(start),
                    "duration_ms": (end - start) / 1e6,
                    "span_count": count,
                    "input_tokens": tokens_in,
                    "output_tokens": tokens_out,
                    "errors": errors,
                    "session_id": session,
                    "user_id": user,
                }
            )
        return summaries

    def sessions(self, where: SessionFilter, offset: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], int]:
        """Sessions from both sources, most recently seen first, filtered; returns a page and the total."""
        merged: dict[str, dict[str, Any]] = {}
        for sid, user, traces, tokens_in, tokens_out, errors, first, last, models in self._logs.query(
            # A trace belongs to the session any of its spans names; all its spans count for it.
            "WITH owner AS (SELECT trace_id, MAX(session_id) AS sid FROM spans WHERE session_id IS NOT NULL"
            " GROUP BY trace_id)"
            " SELECT owner.sid, MAX(user_id), COUNT(DISTINCT trace_id), SUM(input_tokens), SUM(output_tokens),"
            " COUNT(DISTINCT CASE WHEN status_code = 2 THEN trace_id END), MIN(start_ns), MAX(end_ns),"
            " GROUP_CONCAT(DISTINCT model) FROM spans JOIN owner USING (trace_id) GROUP BY owner.sid"
        ):
            merged[sid] = {
                "session_id": sid, "user_id": user, "interactions": traces, "input_tokens": tokens_in or 0,
                "output_tokens": tokens_out or 0, "errors": errors, "first_ns": first, "last_ns": last,
                "models": set(models.split(",")) if models else set(), "sources": ["otlp"],
            }
        for sid, user, count, linked, errors, first, last, models, tokens in self._logs.query(
            "SELECT session_id, MAX(user_id), COUNT(*),"
            f" SUM({_LOG_TRACE_ID} IN (SELECT trace_id FROM spans)),"
            f" SUM({_LOG_META.format('status')} = 'error'), MIN(created_at), MAX(created_at),"
            " GROUP_CONCAT(DISTINCT json_extract(body, '$.llm_model')), SUM(json_extract(body, '$.token_count'))"
            " FROM logs WHERE session_id IS NOT NULL GROUP BY session_id"
        ):
            entry = merged.get(sid)
            if entry is None:
                merged[sid] = {
                    "session_id": sid, "user_id": user, "interactions": count, "input_tokens": tokens or 0,
                    "output_tokens": 0, "errors": errors or 0, "first_ns": _ns(first), "last_ns": _ns(last),
                    "models": set(models.split(",")) if models else set(), "sources": ["logs"],
                }
                continue
            entry["sources"].append("logs")
            entry["interactions"] += count - (linked or 0)  # a linked log is the same interaction as its trace
            entry["user_id"] = entry["user_id"] or user
            if models:
                entry["models"].update(models.split(","))
        chosen = [entry for entry in merged.values() if _matches(entry, where)]
        chosen.sort(key=lambda entry: entry["last_ns"] or 0, reverse=True)
        page = chosen[offset : offset + limit]
        return [_public_session(entry) for entry in page], len(chosen)

    def session_interactions(self, session_id: str) -> list[dict[str, Any]]:
        """A session as a conversation: its traces and unlinked logs, in time order."""
        items: list[dict[str, Any]] = []
        linked_logs: dict[str, dict[str, Any]] = {}
        unlinked: list[dict[str, Any]] = []
        for body_text, trace_id, created_at in self._logs.query(
            f"SELECT body, {_LOG_TRACE_ID}, created_at FROM logs WHERE session_id = ? ORDER BY seq", (session_id,)
        ):
            body = {**json.loads(body_text), "_received_at": created_at}
            if trace_id:
                linked_logs.setdefault(trace_id, body)
            else:
                unlinked.append(body)
        seen_traces: set[str] = set()
        for summary in reversed(self.traces(session_id=session_id)):
            trace_id = summary["trace_id"]
            seen_traces.add(trace_id)
            prompt, response, model = self._conversation_of(trace_id)
            log = linked_logs.get(trace_id)
            items.append(
                {
                    **summary,
                    "kind": "trace",
                    "message_id": log.get("message_id") if log else None,
                    "prompt": prompt if prompt is not None else _log_text(log, "user_prompt"),
                    "response": response if response is not None else _log_text(log, "ai_response", "response"),
                    "model": model,
                }
            )
        for trace_id, log in linked_logs.items():
            if trace_id not in seen_traces:
                unlinked.append(log)  # its spans never arrived over OTLP: show the log alone
        for log in unlinked:
            items.append(
                {
                    "kind": "log",
                    "trace_id": _meta(log).get("trace_id"),
                    "message_id": log.get("message_id"),
                    "start": log.get("_received_at"),
                    "duration_ms": _seconds_to_ms(log.get("response_time")),
                    "input_tokens": log.get("token_count"),
                    "output_tokens": None,
                    "errors": 1 if _meta(log).get("status") == "error" else 0,
                    "prompt": _log_text(log, "user_prompt"),
                    "response": _log_text(log, "ai_response", "response"),
                    "model": log.get("llm_model"),
                    "root_name": _meta(log).get("root_name"),
                }
            )
        items.sort(key=lambda item: item["start"] or "")
        return items

    def _conversation_of(self, trace_id: str) -> tuple[str | None, str | None, str | None]:
        """Prompt and response from the root step's fields, else from the captured messages of the first
        and last inference spans (as the exporter does); the model of the first inference span."""
        spans = self.spans(trace_id)
        ids = {span["span_id"] for span in spans}
        prompt = response = model = None
        with_messages = []
        for span in spans:
            attrs = span["attributes"]
            if span["parent_span_id"] not in ids:
                prompt = _text(attrs.get(sc.HP_STEP_USER_QUESTION))
                response = _text(attrs.get(sc.HP_STEP_PROMPT_RESPONSE))
            if model is None and span["model"]:
                model = span["model"]
            if sc.GEN_AI_INPUT_MESSAGES in attrs or sc.GEN_AI_OUTPUT_MESSAGES in attrs:
                with_messages.append(attrs)
        if with_messages:
            prompt = prompt if prompt is not None else _last_text(with_messages[0].get(sc.GEN_AI_INPUT_MESSAGES))
            response = response if response is not None else _last_text(
                with_messages[-1].get(sc.GEN_AI_OUTPUT_MESSAGES)
            )
        return prompt, response, model


def _last_text(messages_json: Any) -> str | None:
    """The text parts of the last message in a ``gen_ai.*.messages`` JSON value."""
    try:
        messages = json.loads(messages_json) if isinstance(messages_json, str) else None
    except ValueError:
        return None
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return None
    parts = messages[-1].get("parts")
    texts = [
        part["content"] for part in parts or []
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("content"), str)
    ]
    return "\n".join(texts) if texts else None


def _meta(log: dict[str, Any]) -> dict[str, Any]:
    value = log.get("metaData", log.get("metadata"))
    return value if isinstance(value, dict) else {}


def _seconds_to_ms(value: Any) -> float | None:
    return float(value) * 1000 if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _log_text(log: dict[str, Any] | None, *names: str) -> str | None:
    if not log:
        return None
    for name in names:
        if isinstance(log.get(name), str):
            return str(log[name])
    return None


def _matches(entry: dict[str, Any], where: SessionFilter) -> bool:
    if where.session and where.session.lower() not in entry["session_id"].lower():
        return False
    if where.user and where.user.lower() not in (entry["user_id"] or "").lower():
        return False
    if where.model and where.model not in entry["models"]:
        return False
    if where.status == "error" and not entry["errors"]:
        return False
    if where.status == "ok" and entry["errors"]:
        return False
    since, until = _ns(where.since), _ns(where.until)
    if since is not None and (entry["last_ns"] or 0) < since:
        return False
    return not (until is not None and (entry["first_ns"] or 0) > until)


def _public_session(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": entry["session_id"],
        "user_id": entry["user_id"],
        "interactions": entry["interactions"],
        "input_tokens": entry["input_tokens"],
        "output_tokens": entry["output_tokens"],
        "errors": entry["errors"],
        "first_seen": _iso(entry["first_ns"]),
        "last_seen": _iso(entry["last_ns"]),
        "models": sorted(entry["models"]),
        "sources": entry["sources"],
    }


def _span_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    (trace_id, span_id, parent, name, kind, start, end, status, message, session, user, model, tokens_in,
     tokens_out, attributes, events, links, resource, scope) = row
    return {
        "trace_id": trace_id, "span_id": span_id, "parent_span_id": parent, "name": name, "kind": kind,
        "start_ns": start, "end_ns": end, "status_code": status, "status_message": message,
        "session_id": session, "user_id": user, "model": model, "input_tokens": tokens_in,
        "output_tokens": tokens_out, "attributes": json.loads(attributes), "events": json.loads(events),
        "links": json.loads(links), "resource": json.loads(resource), "scope": json.loads(scope),
    }
