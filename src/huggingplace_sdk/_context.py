"""``session()`` and ``trace_step()``: the user's own scopes around vendor calls.

Both live in the OpenTelemetry context (plain contextvars), so they follow ``await``, ``asyncio.gather`` and
tasks by themselves. A thread pool does not copy context: submit ``with_context(fn)`` instead of ``fn``
(``asyncio.to_thread`` copies it already).
"""

from __future__ import annotations

import contextvars
import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.util.types import AttributeValue

from . import _semconv as sc
from ._engine import toolcalls
from ._engine.budget import Budget, current_budget, parse_budget
from ._engine.errors import record_error
from ._engine.rollup import UsageTotals, close_step_usage
from ._engine.rollup import current_step as _usage_var
from ._scope import Scope

_SESSION_KEY = otel_context.create_key("huggingplace.session")
_STEP_KEY = otel_context.create_key("huggingplace.step")
_SCOPE_NAME = "huggingplace_sdk"
_tracer_provider: trace.TracerProvider | None = None

R = TypeVar("R")


def set_tracer_provider(provider: trace.TracerProvider | None) -> None:
    """The provider trace_step uses (set by instrument(); None = the global one)."""
    global _tracer_provider
    _tracer_provider = provider


def _tracer() -> trace.Tracer:
    return trace.get_tracer(_SCOPE_NAME, tracer_provider=_tracer_provider)


def _attribute_value(key: str, value: Any) -> AttributeValue:
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, bool, int, float)) for v in value):
        return list(value)
    raise TypeError(f"{key}: attribute values must be str, bool, int, float or a list of them, "
                    f"not {type(value).__name__}")


# --- session -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionInfo:
    """The active session: stamped on every span started inside it."""

    session_id: str
    user_id: str | None = None
    metadata: Mapping[str, AttributeValue] = field(default_factory=dict)
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict, repr=False)
    budget: Budget | None = field(default=None, repr=False, compare=False)

    @property
    def spent_usd(self) -> Decimal:
        """What the priced LLM calls made in this session entry (nested sessions included) cost so far."""
        return self.budget.spent if self.budget is not None else Decimal(0)

    @property
    def budget_usd(self) -> Decimal | None:
        return self.budget.limit if self.budget is not None else None


def current_session() -> SessionInfo | None:
    value = otel_context.get_value(_SESSION_KEY)
    return value if isinstance(value, SessionInfo) else None


class session(Scope[SessionInfo]):
    """Context manager and decorator: every span started inside carries the session and user ids.

    ``session_id=None`` gives a fresh id each time the scope is entered. A nested session inherits the outer
    user id and metadata unless it gives its own.

    ``budget_usd=`` (opt-in) guards the session's spend, counted exactly across threads and tasks: once it
    is reached, the next LLM call in the session logs one warning and gets a span event
    (``on_budget="warn"``, the default) or raises :class:`BudgetExceededError` before it is sent
    (``on_budget="raise"``). A nested session's spend counts against its outer sessions' budgets too.
    """

    def __init__(self, session_id: str | None = None, user_id: str | None = None, *,
                 budget_usd: float | Decimal | None = None, on_budget: str = "warn", **metadata: Any) -> None:
        if session_id is not None and not isinstance(session_id, str):
            raise TypeError(f"session_id must be a string, not {type(session_id).__name__}")
        if user_id is not None and not isinstance(user_id, str):
            raise TypeError(f"user_id must be a string, not {type(user_id).__name__}")
        self._session_id = session_id
        self._user_id = user_id
        self._budget_usd, self._on_budget = parse_budget(budget_usd, on_budget)
        self._metadata = {k: _attribute_value(k, v) for k, v in metadata.items()}

    def _open(self) -> SessionInfo:
        outer = current_session()
        session_id = self._session_id or uuid.uuid4().hex
        user_id = self._user_id or (outer.user_id if outer else None)
        metadata = {**(outer.metadata if outer else {}), **self._metadata}
        attributes: dict[str, AttributeValue] = {sc.SESSION_ID: session_id, sc.GEN_AI_CONVERSATION_ID: session_id}
        if user_id:
            attributes[sc.USER_ID] = user_id
        for key, value in metadata.items():
            attributes[sc.HP_SESSION_METADATA_PREFIX + key] = value
        budget = Budget(session_id, self._budget_usd, self._on_budget, current_budget.get())
        return SessionInfo(session_id, user_id, metadata, attributes, budget)

    def _activate(self, state: SessionInfo) -> Any:
        return otel_context.attach(otel_context.set_value(_SESSION_KEY, state)), current_budget.set(state.budget)

    def _deactivate(self, token: Any) -> None:
        otel_token, budget_token = token
        current_budget.reset(budget_token)
        otel_context.detach(otel_token)

    def _close(self, state: SessionInfo, error: BaseException | None) -> None:
        return None


# --- trace_step ----------------------------------------------------------------------------------------
class StepHandle:
    """What a step's body records: the question, the answer and any attributes."""

    __slots__ = ("_parent_usage", "_prompt_response", "_user_question", "name", "span", "type", "usage")

    def __init__(self, name: str, step_type: str, span: Span, parent_usage: UsageTotals | None) -> None:
        self.name = name
        self.type = step_type
        self.span = span
        self.usage = UsageTotals()
        self._parent_usage = parent_usage
        self._user_question: str | None = None
        self._prompt_response: str | None = None

    @property
    def user_question(self) -> str | None:
        return self._user_question

    @user_question.setter
    def user_question(self, value: str) -> None:
        self._user_question = str(value)
        self.span.set_attribute(sc.HP_STEP_USER_QUESTION, self._user_question)

    @property
    def prompt_response(self) -> str | None:
        return self._prompt_response

    @prompt_response.setter
    def prompt_response(self, value: str) -> None:
        self._prompt_response = str(value)
        self.span.set_attribute(sc.HP_STEP_PROMPT_RESPONSE, self._prompt_response)

    def set_attribute(self, key: str, value: Any) -> None:
        self.span.set_attribute(key, _attribute_value(key, value))

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        for key, value in attributes.items():
            self.set_attribute(key, value)

    def add_event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        self.span.add_event(name, attributes)


def current_step() -> StepHandle | None:
    value = otel_context.get_value(_STEP_KEY)
    return value if isinstance(value, StepHandle) else None


class trace_step(Scope[StepHandle]):
    """A nested INTERNAL span for the user's own step, carrying the token roll-up of the calls under it.

    ``type="tool"`` makes an ``execute_tool {name}`` span; pass ``tool_call_id=`` to link it to the
    inference span that asked for that call. ``user_question=`` / ``prompt_response=`` may be given up front.
    """

    def __init__(self, name: str, type: str | None = None, **attributes: Any) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError("trace_step needs a non-empty name")
        if type is not None and not isinstance(type, str):
            raise TypeError("type must be a string")
        self._name = name
        self._type = type or "step"
        self._tool_call_id = attributes.pop("tool_call_id", None)
        self._question = attributes.pop("user_question", None)
        self._response = attributes.pop("prompt_response", None)
        self._attributes = {k: _attribute_value(k, v) for k, v in attributes.items()}

    def _open(self) -> StepHandle:
        attrs: dict[str, AttributeValue] = {sc.HP_STEP_TYPE: self._type, sc.HP_STEP_NAME: self._name}
        links: list[Link] = []
        name = self._name
        if self._type == "tool":
            name = f"{sc.OP_EXECUTE_TOOL} {self._name}"
            attrs[sc.GEN_AI_OPERATION_NAME] = sc.OP_EXECUTE_TOOL
            attrs[sc.GEN_AI_TOOL_NAME] = self._name
            attrs[sc.GEN_AI_TOOL_TYPE] = "function"
            if self._tool_call_id:
                attrs[sc.GEN_AI_TOOL_CALL_ID] = str(self._tool_call_id)
                requester = toolcalls.requester_of(str(self._tool_call_id))
                if requester is not None:
                    links.append(Link(requester))
        attrs.update(self._attributes)
        span = _tracer().start_span(name, kind=SpanKind.INTERNAL, attributes=attrs, links=links)
        handle = StepHandle(self._name, self._type, span, current_step_usage())
        if self._question is not None:
            handle.user_question = self._question
        if self._response is not None:
            handle.prompt_response = self._response
        return handle

    def _activate(self, state: StepHandle) -> Any:
        ctx = otel_context.set_value(_STEP_KEY, state, trace.set_span_in_context(state.span))
        return otel_context.attach(ctx), _usage_var.set(state.usage)

    def _deactivate(self, token: Any) -> None:
        otel_token, step_token = token
        _usage_var.reset(step_token)
        otel_context.detach(otel_token)

    def _close(self, state: StepHandle, error: BaseException | None) -> None:
        close_step_usage(state.span, state.usage, state._parent_usage)
        if error is not None and not isinstance(error, GeneratorExit):
            record_error(state.span, error, escaped=True)
        state.span.end()


def current_step_usage() -> UsageTotals | None:
    return _usage_var.get()


# --- threads ----------------------------------------------------------------------------------------------
def with_context(fn: Callable[..., R]) -> Callable[..., R]:
    """Bind ``fn`` to the current context (session, step, span) for running in another thread.

    ``executor.submit(with_context(fn), *args)``: each call runs in its own copy of the context captured now.
    """
    snapshot = contextvars.copy_context()

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> R:
        return snapshot.copy().run(fn, *args, **kwargs)

    return run
