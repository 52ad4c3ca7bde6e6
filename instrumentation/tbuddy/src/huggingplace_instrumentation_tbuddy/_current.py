"""Finds the span of the traced call a hook runs in, so hooks never annotate someone else's span."""

from __future__ import annotations

from opentelemetry import trace

SCOPE = "huggingplace_instrumentation_tbuddy"  # the engine names its tracer after the adapter's module


def own_current_span() -> trace.Span | None:
    span = trace.get_current_span()
    if not span.is_recording():
        return None
    owner = getattr(getattr(span, "instrumentation_scope", None), "name", None)
    return span if owner == SCOPE else None
