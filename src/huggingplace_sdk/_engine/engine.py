"""The engine: starts inference spans from codec requests, and generic operation spans for platforms."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import Link, Span, SpanKind, TracerProvider
from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc
from .._errors import BudgetExceededError
from .budget import current_budget
from .content import ContentPolicy
from .errors import record_error
from .framework import note_vendor_call
from .guard import report_internal_error
from .invocation import Invocation
from .metrics import GenAIMetrics
from .options import EngineOptions
from .rollup import current_step
from .spec import Call, Codec, Request
from .values import count_rejected


class Operation:
    """A generic (non-inference) span handle for platform adapters."""

    __slots__ = ("_ended", "span")

    def __init__(self, span: Span) -> None:
        self.span = span
        self._ended = False

    def set_attribute(self, key: str, value: AttributeValue | None) -> None:
        if value is not None:
            self.span.set_attribute(key, value)

    def set_attributes(self, attributes: Mapping[str, AttributeValue | None]) -> None:
        self.span.set_attributes({k: v for k, v in attributes.items() if v is not None})

    def add_event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        self.span.add_event(name, attributes)

    def record_error(self, error: BaseException | str, *, escaped: bool = False,
                     secrets: Iterable[str | None] = (), with_message: bool = True) -> None:
        """Mark the span failed: error.type from the exception's class (or the given string); its message
        and stack trace are recorded scrubbed of ``secrets`` and credential patterns (or not at all)."""
        record_error(self.span, error, secrets=secrets, with_message=with_message, escaped=escaped)

    def end(self, error: BaseException | str | None = None) -> None:
        if self._ended:
            return
        self._ended = True
        if error is not None:
            self.record_error(error)
        self.span.end()


class Engine:
    """One per activated adapter; owns the tracer, the metrics and the content policy."""

    def __init__(self, *, provider: str, scope: str, version: str, options: EngineOptions,
                 adapter_options: Mapping[str, Any] | None = None,
                 tracer_provider: TracerProvider | None = None,
                 meter_provider: MeterProvider | None = None) -> None:
        self.provider = provider
        self.tracer = trace.get_tracer(scope, version, tracer_provider,
                                       schema_url=f"https://opentelemetry.io/schemas/{sc.SEMCONV_VERSION}")
        self.metrics = GenAIMetrics(meter_provider, scope, version)
        self.content: ContentPolicy = options.content
        self.emit_legacy_system = options.emit_legacy_system
        self.pricer = options.pricer
        self.call_options: dict[str, Any] = {"capture_content": options.content.capture,
                                             **(adapter_options or {})}
        self.active = True

    # --- inference ------------------------------------------------------------------------------------
    def begin(self, codec: Codec, call: Call) -> Invocation | None:
        """Read the request and start its span; None if our code failed (the call then runs untraced).

        Raises BudgetExceededError, before anything is sent, in a session whose ``on_budget="raise"`` budget
        is spent."""
        budget = current_budget.get()
        over = None
        if budget is not None:
            try:
                over = budget.before_call()
            except BudgetExceededError:
                raise  # the one exception the guard means to raise into the call
            except Exception as exc:
                report_internal_error("budget", exc)
        try:
            request = codec.read_request(call)
            if request.model is not None and type(request.model) is not str:
                count_rejected(sc.GEN_AI_REQUEST_MODEL)  # never a span name part or a metric attribute
                request.model = None
            name = request.span_name or (f"{request.operation} {request.model}" if request.model
                                         else request.operation)
            span = self.tracer.start_span(name, kind=request.kind, attributes=self._start_attributes(request))
            if request.inference:
                note_vendor_call()
            if over is not None:
                over.mark(span)
            return Invocation(self, codec, request, span, current_step.get())
        except Exception as exc:
            report_internal_error("begin", exc)
            return None

    def _start_attributes(self, request: Request) -> dict[str, AttributeValue]:
        attrs: dict[str, AttributeValue] = {sc.GEN_AI_OPERATION_NAME: request.operation,
                                            sc.GEN_AI_PROVIDER_NAME: request.provider}
        if self.emit_legacy_system:
            attrs[sc.GEN_AI_SYSTEM] = request.provider
        if request.model:
            attrs[sc.GEN_AI_REQUEST_MODEL] = request.model
        if request.inference and request.operation != sc.OP_EMBEDDINGS:
            attrs[sc.GEN_AI_REQUEST_STREAM] = request.stream
        if request.server_address:
            attrs[sc.SERVER_ADDRESS] = request.server_address
        if request.server_port:
            attrs[sc.SERVER_PORT] = request.server_port
        attrs.update(request.attributes)
        if self.content.capture:
            for kind, name, read in (
                ("input_messages", sc.GEN_AI_INPUT_MESSAGES, request.input_messages),
                ("system_instructions", sc.GEN_AI_SYSTEM_INSTRUCTIONS, request.system_instructions),
                ("tool_definitions", sc.GEN_AI_TOOL_DEFINITIONS, request.tool_definitions),
            ):
                if read is not None:
                    value = read()
                    if value:
                        self.put_content(attrs, kind, name, value)
        return attrs

    def put_content(self, attrs: dict[str, AttributeValue], kind: str, name: str, value: Any) -> None:
        text, original_size = self.content.serialize(kind, value)
        attrs[name] = text
        if original_size is not None:
            attrs[sc.HP_CONTENT_ORIGINAL_SIZE_PREFIX + name] = original_size
            attrs[sc.HP_CONTENT_TRUNCATED] = True

    # --- generic operations (platform adapters) ------------------------------------------------------------
    def start_operation(self, name: str, *, attributes: Mapping[str, AttributeValue | None] | None = None,
                        kind: SpanKind = SpanKind.INTERNAL, parent: Span | None = None,
                        links: list[Link] | None = None) -> Operation:
        """A span that the adapter ends itself (e.g. a conversation spanning several callbacks)."""
        ctx = trace.set_span_in_context(parent) if parent is not None else None
        clean = {k: v for k, v in (attributes or {}).items() if v is not None}
        return Operation(self.tracer.start_span(name, context=ctx, kind=kind, attributes=clean, links=links))

    @contextmanager
    def operation(self, name: str, *, attributes: Mapping[str, AttributeValue | None] | None = None,
                  kind: SpanKind = SpanKind.INTERNAL, parent: Span | None = None) -> Iterator[Operation]:
        """A span current for the block; an exception is recorded and re-raised unchanged."""
        op = self.start_operation(name, attributes=attributes, kind=kind, parent=parent)
        token = otel_context.attach(trace.set_span_in_context(op.span))
        try:
            yield op
        except BaseException as exc:
            op.end(exc)
            raise
        finally:
            otel_context.detach(token)
            op.end()

