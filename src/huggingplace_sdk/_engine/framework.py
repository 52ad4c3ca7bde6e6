"""What framework adapters (LangChain, the OpenAI Agents SDK) share: runs as step spans, and one inference span
per model call whoever traces it.

A framework reports its runs through callbacks, not by calling us around a block, so a run's span is started in
one callback and ended in another. While a run is open its context is made current (so vendor calls and the
user's own steps nest under it) and restored when it ends, if the framework ends it in the same context.

**One model call, one inference span.** A framework's own model call (a LangChain LLM run, an Agents SDK
generation) opens a :class:`ModelCall` instead of a span. Every inference span a vendor adapter starts while it
is current counts itself on it (:func:`note_vendor_call`). When the model call ends: if a vendor adapter traced
it, that adapter's span is the inference span and carries the tokens, and the framework adds nothing; if not (a
provider we have no adapter for), the framework's call becomes the inference span, dated from its start, with the
usage the framework reports.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc
from .errors import error_type_of, record_error
from .invocation import Invocation
from .rollup import UsageTotals, close_step_usage, current_step
from .spec import Recorder, Request

if TYPE_CHECKING:
    from .engine import Engine

_MODEL_CALL_KEY = otel_context.create_key("huggingplace.framework.model_call")


class ModelCall:
    """A framework's model call in progress: counts the vendor inference spans started under it."""

    __slots__ = ("context", "engine", "parent_usage", "request", "start_ns", "start_perf", "token", "usage_token",
                 "vendor_calls")

    def __init__(self, engine: Engine, request: Request, parent: Context, parent_usage: UsageTotals | None) -> None:
        self.engine = engine
        self.request = request
        self.parent_usage = parent_usage
        self.vendor_calls = 0
        self.start_ns = time.time_ns()
        self.start_perf = time.perf_counter()
        self.context = otel_context.set_value(_MODEL_CALL_KEY, self, parent)
        self.token: object | None = None
        self.usage_token: object | None = None

    def attach(self) -> None:
        self.token = otel_context.attach(self.context)
        self.usage_token = current_step.set(self.parent_usage)

    def detach(self) -> None:
        _detach(self.context, self.token, self.usage_token)
        self.token = self.usage_token = None

    def end(self, read: Callable[[Recorder], None] | None = None, error: BaseException | None = None) -> None:
        """Close the call: nothing more when a vendor adapter traced it, else its own inference span."""
        self.detach()
        if self.vendor_calls:
            return
        engine, request = self.engine, self.request
        name = request.span_name or (f"{request.operation} {request.model}" if request.model else request.operation)
        parent = otel_context.set_value(_MODEL_CALL_KEY, None, self.context)
        span = engine.tracer.start_span(name, context=parent, kind=request.kind,
                                        attributes=engine._start_attributes(request), start_time=self.start_ns)
        invocation = Invocation(engine, _NO_CODEC, request, span, self.parent_usage)
        invocation._start = self.start_perf
        if read is not None:
            read(invocation)
        if error is not None:
            invocation.end(error_type=error_type_of(error), exc=error)
        else:
            invocation.end()


def note_vendor_call() -> None:
    """Called by the engine for each inference span it starts: a framework model call above it is covered."""
    call = otel_context.get_value(_MODEL_CALL_KEY)
    if call is not None:
        call.vendor_calls += 1  # type: ignore[attr-defined]


def start_model_call(engine: Engine, request: Request, parent: Context | None = None,
                     parent_usage: UsageTotals | None = None) -> ModelCall:
    """Open a framework model call under ``parent`` (default: the current context) and make it current."""
    call = ModelCall(engine, request, parent if parent is not None else otel_context.get_current(),
                     parent_usage if parent is not None else current_step.get())
    call.attach()
    return call


class FrameworkStep:
    """A framework run shown as a step span (chain, graph node, agent, tool, retriever), current while it runs,
    carrying the token roll-up of the calls under it like a ``trace_step``."""

    __slots__ = ("context", "name", "parent_usage", "span", "token", "usage", "usage_token")

    def __init__(self, engine: Engine, name: str, *, step_type: str, span_name: str | None = None,
                 attributes: Mapping[str, AttributeValue | None] | None = None, parent: Context | None = None,
                 parent_usage: UsageTotals | None = None, links: list[Link] | None = None,
                 extra_context: Mapping[str, object] | None = None) -> None:
        base = parent if parent is not None else otel_context.get_current()
        for key, value in (extra_context or {}).items():
            base = otel_context.set_value(key, value, base)
        base = otel_context.set_value(_MODEL_CALL_KEY, None, base)
        attrs: dict[str, AttributeValue] = {sc.HP_STEP_TYPE: step_type, sc.HP_STEP_NAME: name}
        attrs.update({k: v for k, v in (attributes or {}).items() if v is not None})
        self.name = name
        self.span: Span = engine.tracer.start_span(span_name or name, context=base, kind=SpanKind.INTERNAL,
                                                   attributes=attrs, links=links)
        self.context = trace.set_span_in_context(self.span, base)
        self.usage = UsageTotals()
        self.parent_usage = parent_usage if parent is not None else current_step.get()
        self.token: object | None = None
        self.usage_token: object | None = None

    def attach(self) -> None:
        self.token = otel_context.attach(self.context)
        self.usage_token = current_step.set(self.usage)

    def detach(self) -> None:
        _detach(self.context, self.token, self.usage_token)
        self.token = self.usage_token = None

    def end(self, error: BaseException | None = None) -> None:
        self.detach()
        close_step_usage(self.span, self.usage, self.parent_usage)
        if error is not None:
            record_error(self.span, error, escaped=True)
        self.span.end()


def _detach(attached: Context, token: object | None, usage_token: object | None) -> None:
    """Restore what attach() replaced, in the context where it was attached. A framework may end a run in
    another context (a copied one, a thread, a task), where there is nothing of ours to restore: skipped."""
    for item in (token, usage_token):
        if isinstance(item, contextvars.Token):
            try:
                item.var.reset(item)
            except ValueError:
                pass


class _NoCodec:
    """The codec of a framework-reported call: everything is read by the adapter before the end."""

    def read_request(self, call: Any) -> Request:
        raise NotImplementedError

    def read_response(self, result: Any, recorder: Recorder) -> None:
        return None

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        return None

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


_NO_CODEC = _NoCodec()
