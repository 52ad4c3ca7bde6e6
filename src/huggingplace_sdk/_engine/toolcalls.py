"""Which inference span asked for which tool call, so a tool step can link back to it."""

from __future__ import annotations

import threading
from collections import OrderedDict

from opentelemetry.trace import SpanContext

_MAX_ENTRIES = 4096
_lock = threading.Lock()
_requested_by: OrderedDict[str, SpanContext] = OrderedDict()


def remember(call_id: str, span_context: SpanContext) -> None:
    with _lock:
        _requested_by[call_id] = span_context
        _requested_by.move_to_end(call_id)
        while len(_requested_by) > _MAX_ENTRIES:
            _requested_by.popitem(last=False)


def requester_of(call_id: str) -> SpanContext | None:
    with _lock:
        return _requested_by.get(call_id)
