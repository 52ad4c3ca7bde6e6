"""Trace trees as text from stored spans (the local server's ``GET /v1/traces/{id}``), in the console format.

The same line per span as ``_console.ConsoleTreeExporter``: name, duration, ERROR, then the same labelled
attributes, indented by depth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._console import _SHOWN

STATUS_ERROR = 2  # OTLP Status.code


def describe(span: Mapping[str, Any]) -> str:
    duration_ms = (int(span["end_ns"]) - int(span["start_ns"])) / 1e6
    attrs: Mapping[str, Any] = span.get("attributes") or {}
    details = " ".join(f"{label}={_plain(attrs[key])}" for key, label in _SHOWN if key in attrs)
    status = " ERROR" if span.get("status_code") == STATUS_ERROR else ""
    return f"{span['name']} [{duration_ms:.1f} ms]{status} {details}".rstrip()


def _plain(value: Any) -> str:
    return ",".join(str(item) for item in value) if isinstance(value, list) else str(value)


def tree_lines(spans: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per span, children under their parent in start order; orphans are roots."""
    ids = {span["span_id"] for span in spans}
    by_parent: dict[str | None, list[Mapping[str, Any]]] = {}
    for span in spans:
        parent = span.get("parent_span_id")
        by_parent.setdefault(parent if parent in ids else None, []).append(span)
    lines: list[str] = []
    stack: list[tuple[Mapping[str, Any], int]] = [
        (span, 0) for span in sorted(by_parent.get(None, []), key=_start, reverse=True)
    ]
    while stack:  # iterative: a deep trace must not hit the recursion limit
        span, depth = stack.pop()
        lines.append("  " * depth + describe(span))
        children = sorted(by_parent.get(span["span_id"], []), key=_start, reverse=True)
        stack.extend((child, depth + 1) for child in children)
    return lines


def _start(span: Mapping[str, Any]) -> int:
    return int(span["start_ns"])
