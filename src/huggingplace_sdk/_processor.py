"""The span processor that stamps the active session on every span started inside it, ours or not."""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from ._context import _SESSION_KEY, SessionInfo


class SessionSpanProcessor(SpanProcessor):
    """Adds session.id, user.id, gen_ai.conversation.id and session metadata in on_start."""

    def __init__(self) -> None:
        self.enabled = True

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        if not self.enabled:
            return
        info = otel_context.get_value(_SESSION_KEY, parent_context)
        if isinstance(info, SessionInfo):
            span.set_attributes(info.attributes)

    def on_end(self, span: ReadableSpan) -> None:
        return None

    def shutdown(self) -> None:
        self.enabled = False

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
