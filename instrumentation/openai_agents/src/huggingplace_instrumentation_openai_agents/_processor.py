"""The Agents SDK's traces and spans mapped to ours, on the engine's framework steps and model calls.

- a trace (one ``Runner.run`` workflow): a step named after it; its ``group_id`` is the session unless a
  ``session()`` of ours is open;
- agent: ``invoke_agent {name}``; function: ``execute_tool {name}``; handoff: ``handoff {to}``; guardrail:
  ``guardrail {name}`` with whether it triggered; task, turn and custom spans: steps;
- generation and response spans: one inference span per model call (the openai adapter's when it traced the
  call, else one from what the SDK reports).

Spans are current while they run (the SDK starts and ends them in the task doing the work), so the openai
adapter's spans and the user's own steps nest under them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._context import _SESSION_KEY, current_session, session
from huggingplace_sdk._engine.framework import FrameworkStep, ModelCall, start_model_call
from huggingplace_sdk.engine import (
    Engine,
    EngineRef,
    Recorder,
    Request,
    field_of,
    integer_of,
    record_responses_usage,
    report_internal_error,
    responses_finish_reason,
)

_MAX_OPEN = 10_000
_OPENAI = "openai"


class AgentsSpanProcessor:
    """Receives the SDK's trace and span events (through the wrapped fan-out), never raising into the SDK."""

    def __init__(self, engine: EngineRef) -> None:
        self._engine = engine
        self._open: OrderedDict[str, FrameworkStep | ModelCall] = OrderedDict()
        self._aliases: set[str] = set()  # spans shown by an existing step (a workflow's task span)
        self._lock = threading.Lock()

    # --- traces ---------------------------------------------------------------------------------------------
    def on_trace_start(self, trace: Any) -> None:
        self._guard("trace_start", self._trace_start, trace)

    def _trace_start(self, trace: Any) -> None:
        engine = self._engine()
        if engine is None:
            return
        extra: dict[str, object] = {}
        group_id = getattr(trace, "group_id", None)
        if isinstance(group_id, str) and group_id and current_session() is None:
            extra[_SESSION_KEY] = session(group_id)._open()
        name = getattr(trace, "name", None) or "agent workflow"
        step = FrameworkStep(engine, str(name), step_type="workflow", extra_context=extra)
        step.attach()
        self._remember(f"trace:{trace.trace_id}", step)

    def on_trace_end(self, trace: Any) -> None:
        self._guard("trace_end", self._end, f"trace:{trace.trace_id}", None, None)

    # --- spans ------------------------------------------------------------------------------------------
    def on_span_start(self, span: Any) -> None:
        self._guard("span_start", self._span_start, span)

    def _span_start(self, span: Any) -> None:
        engine = self._engine()
        if engine is None:
            return
        data = span.span_data
        kind = getattr(data, "type", None)
        parent = self._parent_of(span)
        parent_context = parent.context if parent is not None else None
        parent_usage = parent.usage if isinstance(parent, FrameworkStep) else None
        if kind in ("generation", "response"):
            model = getattr(data, "model", None)
            request = Request(operation=sc.OP_CHAT, provider=_OPENAI, model=model if isinstance(model, str) else None)
            call = start_model_call(engine, request, parent_context, parent_usage)
            self._remember(span.span_id, call)
            return
        if kind == "task" and parent is not None and not span.parent_id and parent.name == getattr(data, "name", None):
            with self._lock:  # the workflow's own task span: the trace's step already shows it
                self._open[span.span_id] = parent
                self._aliases.add(span.span_id)
            return
        name, span_name, step_type, attrs = _describe(kind, data)
        step = FrameworkStep(engine, name, step_type=step_type, span_name=span_name, attributes=attrs,
                             parent=parent_context, parent_usage=parent_usage)
        step.attach()
        self._remember(span.span_id, step)

    def on_span_end(self, span: Any) -> None:
        self._guard("span_end", self._end, span.span_id, span, getattr(span, "error", None))

    def _end(self, key: str, span: Any, error: Any) -> None:
        with self._lock:
            entry = self._open.pop(key, None)
            if key in self._aliases:
                self._aliases.discard(key)
                return
        if entry is None:
            return
        failure = _SpanFailure(error) if error else None
        if isinstance(entry, ModelCall):
            data = span.span_data if span is not None else None
            entry.end(lambda recorder: _read_model_call(data, recorder), failure)
            return
        if span is not None:
            _finish_attributes(entry, span.span_data, self._engine())
        entry.end(failure)

    # --- bookkeeping ----------------------------------------------------------------------------------
    def _remember(self, key: str, entry: FrameworkStep | ModelCall) -> None:
        with self._lock:
            self._open[key] = entry
            while len(self._open) > _MAX_OPEN:
                self._open.popitem(last=False)

    def _parent_of(self, span: Any) -> FrameworkStep | None:
        with self._lock:
            parent = self._open.get(span.parent_id) if span.parent_id else None
            if parent is None:
                parent = self._open.get(f"trace:{span.trace_id}")
        return parent if isinstance(parent, FrameworkStep) else None

    def _guard(self, site: str, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except Exception as exc:
            report_internal_error(f"openai_agents.{site}", exc)

    def shutdown(self) -> None:
        return None

    def force_flush(self) -> None:
        return None


class _SpanFailure(Exception):
    """An Agents SDK span's error (a message and data, not an exception)."""

    def __init__(self, error: Any) -> None:
        message = error.get("message") if isinstance(error, Mapping) else str(error)
        super().__init__(message or "error")


def _describe(kind: Any, data: Any) -> tuple[str, str, str, dict[str, Any]]:
    """(step name, span name, step type, attributes) of a non-model span."""
    name = str(getattr(data, "name", None) or kind)
    if kind == "agent":
        return name, f"{sc.OP_INVOKE_AGENT} {name}", "agent", {
            sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT, sc.GEN_AI_AGENT_NAME: name}
    if kind == "function":
        return name, f"{sc.OP_EXECUTE_TOOL} {name}", "tool", {
            sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL, sc.GEN_AI_TOOL_NAME: name, sc.GEN_AI_TOOL_TYPE: "function"}
    if kind == "handoff":
        target = getattr(data, "to_agent", None)
        return f"handoff {target}", f"handoff {target}", "handoff", {
            sc.HP_HANDOFF_FROM: getattr(data, "from_agent", None), sc.HP_HANDOFF_TO: target}
    if kind == "guardrail":
        return f"guardrail {name}", f"guardrail {name}", "guardrail", {}
    if kind == "turn":
        turn = getattr(data, "turn", None)
        return f"turn {turn}", f"turn {turn}", "turn", {sc.GEN_AI_AGENT_NAME: getattr(data, "agent_name", None)}
    return name, name, str(kind or "step"), {}


def _finish_attributes(step: FrameworkStep, data: Any, engine: Engine | None) -> None:
    kind = getattr(data, "type", None)
    if kind == "guardrail":
        step.span.set_attribute(sc.HP_GUARDRAIL_TRIGGERED, bool(getattr(data, "triggered", False)))
    elif kind == "handoff":
        target = getattr(data, "to_agent", None)  # known only once the handoff happened
        if isinstance(target, str):
            step.span.update_name(f"handoff {target}")
            step.span.set_attribute(sc.HP_HANDOFF_TO, target)
    elif kind == "function" and engine is not None and engine.content.capture:
        for key, attribute, content_kind in (("input", sc.GEN_AI_TOOL_CALL_ARGUMENTS, "tool_call_arguments"),
                                             ("output", sc.GEN_AI_TOOL_CALL_RESULT, "tool_call_result")):
            value = getattr(data, key, None)
            if value is not None:
                step.span.set_attribute(attribute, engine.content.serialize(content_kind, value)[0])


def _read_model_call(data: Any, recorder: Recorder) -> None:
    """What the SDK reports of a model call no vendor adapter traced: a Responses API response, or a
    generation's model, output and usage."""
    if data is None:
        return
    response = getattr(data, "response", None)
    if response is not None:
        recorder.set_response(id=field_of(response, "id"), model=field_of(response, "model"))
        record_responses_usage(field_of(response, "usage"), recorder)
        for index, item in enumerate(field_of(response, "output") or []):
            if field_of(item, "type") == "function_call":
                recorder.add_tool_call(0, index, id=field_of(item, "call_id"), name=field_of(item, "name"),
                                       arguments=field_of(item, "arguments"))
            elif field_of(item, "type") == "message":
                for part in field_of(item, "content") or []:
                    text = field_of(part, "text")
                    if isinstance(text, str):
                        recorder.add_text(0, text)
        recorder.set_finish_reason(0, responses_finish_reason(response))
        return
    model = getattr(data, "model", None)
    if isinstance(model, str):
        recorder.set_response(model=model)
    usage = getattr(data, "usage", None)
    if isinstance(usage, Mapping):
        recorder.set_usage(input_tokens=integer_of(usage.get("input_tokens")),
                           output_tokens=integer_of(usage.get("output_tokens")))


