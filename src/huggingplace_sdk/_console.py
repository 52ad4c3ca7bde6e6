"""A readable console trace tree: printed when a trace's local root span ends."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import StatusCode

from . import _semconv as sc

_MAX_OPEN_TRACES = 1000
_SHOWN = (  # attribute, label
    (sc.GEN_AI_RESPONSE_MODEL, "model"), (sc.GEN_AI_USAGE_INPUT_TOKENS, "in"),
    (sc.GEN_AI_USAGE_OUTPUT_TOKENS, "out"), (sc.HP_STEP_USAGE_INPUT, "in"), (sc.HP_STEP_USAGE_OUTPUT, "out"),
    (sc.HP_STREAM_OUTCOME, "stream"), (sc.SESSION_ID, "session"), (sc.USER_ID, "user"), (sc.ERROR_TYPE, "error"),
)


class ConsoleTreeExporter(SpanExporter):
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._open: dict[int, list[ReadableSpan]] = {}

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        finished: list[list[ReadableSpan]] = []
        with self._lock:
            for span in spans:
                trace_id = span.context.trace_id
                bucket = self._open.setdefault(trace_id, [])
                bucket.append(span)
                if span.parent is None or span.parent.is_remote:
                    finished.append(self._open.pop(trace_id))
            while len(self._open) > _MAX_OPEN_TRACES:
                finished.append(self._open.pop(next(iter(self._open))))
        for trace_spans in finished:
            self._print(trace_spans)
        return SpanExportResult.SUCCESS

    def _print(self, spans: list[ReadableSpan]) -> None:
        by_parent: dict[int | None, list[ReadableSpan]] = {}
        ids = {s.context.span_id for s in spans}
        for span in spans:
            parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
            by_parent.setdefault(parent, []).append(span)
        lines: list[str] = []

        def walk(parent: int | None, depth: int) -> None:
            for span in sorted(by_parent.get(parent, []), key=lambda s: s.start_time or 0):
                lines.append("  " * depth + _describe(span))
                walk(span.context.span_id, depth + 1)

        walk(None, 0)
        stream = self._stream or sys.stderr
        stream.write("\n".join(lines) + "\n")
        stream.flush()

    def shutdown(self) -> None:
        with self._lock:
            pending = list(self._open.values())
            self._open.clear()
        for trace_spans in pending:
            self._print(trace_spans)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _describe(span: ReadableSpan) -> str:
    duration_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
    attrs = span.attributes or {}
    details = " ".join(f"{label}={attrs[key]!s}" for key, label in _SHOWN if key in attrs)
    badge = _cost_badge(attrs)
    if badge:
        details = f"{details} {badge}"
    status = " ERROR" if span.status.status_code is StatusCode.ERROR else ""
    return f"{span.name} [{duration_ms:.1f} ms]{status} {details}".rstrip()


def _cost_badge(attrs: Mapping[str, Any]) -> str:
    """``cost=$0.000123`` on a priced call or a step's sum; ``cost=unpriced(<reason>)`` on an unpriced call."""
    amount = attrs.get(sc.HP_COST_AMOUNT, attrs.get(sc.HP_STEP_COST_AMOUNT))
    badge = f"cost=${amount:.6f}" if isinstance(amount, (int, float)) else ""
    if attrs.get(sc.HP_COST_STATUS) == sc.COST_UNPRICED:
        badge = f"cost=unpriced({attrs.get(sc.HP_COST_UNPRICED_REASON)})"
    unpriced_calls = attrs.get(sc.HP_STEP_COST_UNPRICED_CALLS)
    if unpriced_calls:
        badge += f" +{unpriced_calls} unpriced"
    return badge
