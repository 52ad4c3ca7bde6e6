"""One traced call: its span, what the codec recorded, and the logic that ends it exactly once."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from time import perf_counter
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Span, StatusCode, set_span_in_context
from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc
from . import toolcalls
from .budget import current_budget
from .cost import NOT_BILLED, Cost, unpriced
from .errors import error_type_of, record_error
from .guard import report_internal_error
from .rollup import UsageTotals
from .spec import Codec, Request
from .values import checked_attribute, checked_text, checked_token_count, count_rejected

if TYPE_CHECKING:
    from .engine import Engine

_NO_USAGE: dict[str, int] = {}
_USAGE_ARGUMENTS = (  # set_usage argument, span attribute
    ("input_tokens", sc.GEN_AI_USAGE_INPUT_TOKENS),
    ("output_tokens", sc.GEN_AI_USAGE_OUTPUT_TOKENS),
    ("cache_read_input_tokens", sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    ("cache_creation_input_tokens", sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    ("reasoning_output_tokens", sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
)
_USAGE_FIELD_ATTRIBUTES = (  # roll-up field, span attribute
    ("input_tokens", sc.GEN_AI_USAGE_INPUT_TOKENS),
    ("output_tokens", sc.GEN_AI_USAGE_OUTPUT_TOKENS),
    ("cache_read_input_tokens", sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    ("cache_creation_input_tokens", sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    ("reasoning_output_tokens", sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
)


class _Choice:
    """Output of one choice, kept only while content capture is on."""

    __slots__ = ("reasoning", "role", "text")

    def __init__(self) -> None:
        self.role: str | None = None
        self.text: list[str] = []
        self.reasoning: list[str] = []


class Invocation:
    """Implements the codec-facing Recorder, and ends its span once whatever path the call takes."""

    __slots__ = (
        "_budget", "_choices", "_chunks", "_codec", "_end_claim", "_engine", "_extra", "_finalizer",
        "_finish", "_first_chunk_at", "_last_chunk_at", "_rejected", "_response_id", "_start", "_step",
        "_tool_calls", "_usage", "_usage_source", "capture_content", "context", "request", "response_model", "span",
    )

    def __init__(self, engine: Engine, codec: Codec, request: Request, span: Span,
                 step: UsageTotals | None) -> None:
        self._engine = engine
        self._codec = codec
        self.request = request
        self.span = span
        self.context = set_span_in_context(span)  # current while the call runs; metrics exemplars use it too
        self._step = step
        self._budget = current_budget.get()  # the session's, kept for a stream consumed after the block
        self.capture_content = engine.content.capture
        self._start = perf_counter()
        self._end_claim = [True]
        self._response_id: str | None = None
        self.response_model: str | None = None  # read by stream codecs on every chunk: a plain attribute
        self._finish: dict[int, str] | None = None
        self._usage: dict[str, int] | None = None  # keyed by span attribute name
        self._usage_source = sc.USAGE_SOURCE_ABSENT
        self._first_chunk_at: float | None = None
        self._last_chunk_at: float | None = None
        self._chunks = 0
        self._choices: dict[int, _Choice] | None = None
        self._tool_calls: dict[tuple[int, int], list[Any]] | None = None
        self._extra: dict[str, AttributeValue] | None = None
        self._finalizer: Any = None
        self._rejected: list[str] | None = None  # response fields dropped as malformed

    def _reject(self, field: str) -> None:
        """A malformed response value: not recorded, counted, and named on the span."""
        count_rejected(field)
        if self._rejected is None:
            self._rejected = []
        if field not in self._rejected:
            self._rejected.append(field)

    # --- Recorder ------------------------------------------------------------------------------------
    # Every value is type-checked here, once for all codecs: a malformed response must not reach an
    # attribute or a metric (see values.py).
    def set_response(self, *, id: str | None = None, model: str | None = None) -> None:
        if id is not None:
            if type(id) is str and id.isascii():
                if id:
                    self._response_id = id
            else:
                checked = checked_text(id)
                if checked is None and not isinstance(id, str):
                    self._reject(sc.GEN_AI_RESPONSE_ID)
                elif checked:
                    self._response_id = checked
        if model is not None:
            if type(model) is str and model.isascii():
                if model:
                    self.response_model = model
            else:
                checked = checked_text(model)
                if checked is None and not isinstance(model, str):
                    self._reject(sc.GEN_AI_RESPONSE_MODEL)
                elif checked:
                    self.response_model = checked

    def set_finish_reason(self, index: int, reason: str | None) -> None:
        if reason:
            if type(index) is not int:
                self._reject("finish_reason.index")
                return
            checked = reason if type(reason) is str and reason.isascii() else checked_text(reason)
            if checked is None:
                self._reject(sc.GEN_AI_RESPONSE_FINISH_REASONS)
                return
            if self._finish is None:
                self._finish = {}
            self._finish[index] = checked

    def set_usage(self, *, input_tokens: int | None = None, output_tokens: int | None = None,
                  cache_read_input_tokens: int | None = None, cache_creation_input_tokens: int | None = None,
                  reasoning_output_tokens: int | None = None, source: str = sc.USAGE_SOURCE_PROVIDER) -> None:
        usage = self._usage
        if usage is None:
            usage = self._usage = {}
        given = (input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens,
                 reasoning_output_tokens)
        for value, (_, name) in zip(given, _USAGE_ARGUMENTS, strict=True):
            if value is not None:
                count = checked_token_count(value)
                if count is None:
                    self._reject(name)  # negative, beyond int64, or not a number: never recorded
                else:
                    usage[name] = count
        self._usage_source = source

    def _choice(self, index: int) -> _Choice:
        if self._choices is None:
            self._choices = {}
        choice = self._choices.get(index)
        if choice is None:
            choice = self._choices[index] = _Choice()
        return choice

    def add_text(self, index: int, text: str, *, kind: str = "text") -> None:
        # Lone surrogates in text are repaired when the content is serialized (content.py), not per chunk.
        if self.capture_content and text:
            if type(index) is not int or not isinstance(text, str):
                self._reject("output.text")
                return
            choice = self._choice(index)
            (choice.reasoning if kind == "reasoning" else choice.text).append(text)

    def set_role(self, index: int, role: str) -> None:
        if self.capture_content and role:
            checked = checked_text(role)
            if type(index) is not int or checked is None:
                self._reject("output.role")
                return
            self._choice(index).role = checked

    def add_tool_call(self, index: int, call_index: int, *, id: str | None = None, name: str | None = None,
                      arguments: str | None = None) -> None:
        if type(index) is not int or type(call_index) is not int:
            self._reject("tool_call.index")
            return
        if self._tool_calls is None:
            self._tool_calls = {}
        entry = self._tool_calls.get((index, call_index))
        if entry is None:
            entry = self._tool_calls[(index, call_index)] = [None, None, []]
        if id:
            checked = checked_text(id)
            if checked is None:
                self._reject(sc.HP_TOOL_CALL_IDS)
            else:
                entry[0] = checked
        if name:
            checked = checked_text(name)
            if checked is None:
                self._reject(sc.HP_TOOL_CALL_NAMES)
            else:
                entry[1] = checked
        if arguments and self.capture_content:
            if isinstance(arguments, str):
                entry[2].append(arguments)
            else:
                self._reject("tool_call.arguments")

    def tool_call_count(self, index: int) -> int:
        calls = self._tool_calls
        return sum(1 for choice_index, _ in calls if choice_index == index) if calls else 0

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        checked = checked_attribute(value)
        if checked is None:
            self._reject(key)
            return
        if self._extra is None:
            self._extra = {}
        self._extra[key] = checked

    def add_event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        self.span.add_event(name, attributes)

    # --- outcomes ------------------------------------------------------------------------------------
    def finish(self, result: Any) -> None:
        """Read a complete response with the codec and end the span."""
        try:
            self._codec.read_response(result, self)
        except Exception as exc:  # a codec bug must not lose the span
            self.end()
            report_internal_error("read_response", exc)
            return
        self.end()

    def fail(self, exc: BaseException) -> None:
        outcome = sc.STREAM_CANCELLED if isinstance(exc, asyncio.CancelledError) else None
        self.end(error_type=error_type_of(exc), exc=exc, outcome=outcome if self.request.stream else None)

    def observe(self, obj: Any, *, iterator_attr: str | None = None) -> Any:
        from .streams import observe_in_place
        return observe_in_place(self, obj, iterator_attr)

    def observe_iterator(self, iterator: Any) -> Any:
        from .streams import observe_iterator
        return observe_iterator(self, iterator)

    def hook_close(self, obj: Any, *names: str) -> None:
        """Treat a call of ``obj.<name>()`` (e.g. a helper stream's close) as the caller closing the stream."""
        from .streams import hook_close
        for name in names or ("close",):
            hook_close(self, obj, name)

    # --- stream events (called by streams.py; each is O(1)) ---------------------------------------
    def on_chunk(self, chunk: Any) -> bool:
        """Read one chunk; False when the chunk must be hidden from the caller."""
        now = perf_counter()
        if self._first_chunk_at is None:
            self._first_chunk_at = now
        self._last_chunk_at = now
        self._chunks += 1
        try:
            self._codec.read_chunk(chunk, self)
            if self.request.usage_injected and self._codec.is_injected_chunk(chunk):
                return False
        except Exception as exc:
            report_internal_error("read_chunk", exc)
        return True

    def stream_completed(self) -> None:
        self.end(outcome=sc.STREAM_COMPLETED)

    def stream_failed(self, exc: BaseException) -> None:
        cancelled = isinstance(exc, asyncio.CancelledError)
        self.end(outcome=sc.STREAM_CANCELLED if cancelled else sc.STREAM_ERROR,
                 error_type=error_type_of(exc), exc=None if cancelled else exc)

    def stream_closed_by_caller(self) -> None:
        """The caller closed the stream (close(), aclose(), leaving ``with``), maybe because of an error."""
        if self.ended:
            return
        active = sys.exc_info()[1]
        if active is not None:
            self.stream_failed(active)
        else:
            self.end(outcome=sc.STREAM_CLOSED_EARLY)

    def stream_abandoned(self) -> None:
        """Collected, or its iterator closed, without the caller closing it."""
        self.end(outcome=sc.STREAM_ABANDONED, error_type=sc.ERROR_ABANDONED)

    @property
    def ended(self) -> bool:
        return not self._end_claim

    # --- the single end ------------------------------------------------------------------------------
    def end(self, *, outcome: str | None = None, error_type: str | None = None,
            exc: BaseException | None = None) -> None:
        try:
            self._end_claim.pop()  # atomic: of concurrent ends (a consumer and a collector), one goes on
        except IndexError:
            return
        span = self.span
        try:
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
            end_time = perf_counter()
            attrs = self._end_attributes(outcome, error_type)
            cost = self._cost(exc) if self.request.inference else None
            if cost is not None:
                attrs.update(cost.attributes())
            span.set_attributes(attrs)
            if exc is not None:
                record_error(span, exc, secrets=self.request.secrets, escaped=True)
            elif error_type is not None:
                span.set_status(StatusCode.ERROR)
            self._record_metrics(end_time, error_type)
            self._roll_up(cost)
        except Exception as failure:
            span.end()
            report_internal_error("end", failure)
            return
        span.end()

    def _end_attributes(self, outcome: str | None, error_type: str | None) -> dict[str, AttributeValue]:
        attrs: dict[str, AttributeValue] = {}
        if self._extra:
            attrs.update(self._extra)
        if self._response_id:
            attrs[sc.GEN_AI_RESPONSE_ID] = self._response_id
        if self.response_model:
            attrs[sc.GEN_AI_RESPONSE_MODEL] = self.response_model
        finish = self._finish
        if finish:
            attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] = (
                list(finish.values()) if len(finish) == 1 else [finish[i] for i in sorted(finish)])
        if self.request.inference:
            attrs[sc.HP_USAGE_SOURCE] = self._usage_source
            if self._usage:
                attrs.update(self._usage)
        if self._first_chunk_at is not None:
            attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._first_chunk_at - self._start
        if outcome is not None:
            attrs[sc.HP_STREAM_OUTCOME] = outcome
            attrs[sc.HP_STREAM_CHUNKS] = self._chunks
        if error_type is not None:
            attrs[sc.ERROR_TYPE] = error_type
        if self._tool_calls:
            ids = [entry[0] for entry in self._tool_calls.values() if entry[0]]
            names = [entry[1] for entry in self._tool_calls.values() if entry[1]]
            if ids:
                attrs[sc.HP_TOOL_CALL_IDS] = ids
            if names:
                attrs[sc.HP_TOOL_CALL_NAMES] = names
        if self.capture_content and (self._choices or self._tool_calls):
            self._engine.put_content(attrs, "output_messages", sc.GEN_AI_OUTPUT_MESSAGES, self._output_messages())
        if self._rejected:
            attrs[sc.HP_REJECTED_FIELDS] = self._rejected
        return attrs

    def _output_messages(self) -> list[dict[str, Any]]:
        indexes = set(self._choices or ()) | {i for i, _ in (self._tool_calls or {})}
        messages = []
        for index in sorted(indexes):
            choice = (self._choices or {}).get(index)
            parts: list[dict[str, Any]] = []
            if choice is not None and choice.reasoning:
                parts.append({"type": "reasoning", "content": "".join(choice.reasoning)})
            if choice is not None and choice.text:
                parts.append({"type": "text", "content": "".join(choice.text)})
            for (choice_index, _), (call_id, name, fragments) in sorted((self._tool_calls or {}).items()):
                if choice_index == index:
                    parts.append({"type": "tool_call", "id": call_id, "name": name,
                                  "arguments": _parse_arguments("".join(fragments))})
            message: dict[str, Any] = {"role": (choice.role if choice and choice.role else "assistant"),
                                       "parts": parts}
            if self._finish and index in self._finish:
                message["finish_reason"] = self._finish[index]
            messages.append(message)
        return messages

    def _record_metrics(self, end_time: float, error_type: str | None) -> None:
        request = self.request
        if not request.inference:
            return
        key = (request.operation, request.provider, request.model, self.response_model, request.server_address,
               request.server_port, error_type)
        usage = self._usage or _NO_USAGE
        ttfc = per_chunk = None
        if self._first_chunk_at is not None:
            ttfc = self._first_chunk_at - self._start
            if self._chunks > 1 and self._last_chunk_at is not None:
                per_chunk = (self._last_chunk_at - self._first_chunk_at) / (self._chunks - 1)
        self._engine.metrics.record(key, end_time - self._start, usage.get(sc.GEN_AI_USAGE_INPUT_TOKENS),
                                    usage.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS), ttfc, per_chunk, self.context)

    def _cost(self, exc: BaseException | None) -> Cost | None:
        """Priced from the reported usage only; a request refused with an exception and no usage costs nothing."""
        try:
            usage = self._usage
            if not usage or self._usage_source == sc.USAGE_SOURCE_ABSENT:
                if exc is not None and not self._chunks:
                    return NOT_BILLED
                return unpriced(sc.UNPRICED_USAGE_ABSENT)
            tier = self._extra.get(sc.OPENAI_RESPONSE_SERVICE_TIER) if self._extra else None
            return self._engine.pricer.price(self.request.provider, (self.response_model, self.request.model),
                                             usage, tier if isinstance(tier, str) else None)
        except Exception as failure:
            report_internal_error("cost", failure)
            return None

    def _roll_up(self, cost: Cost | None) -> None:
        if self._tool_calls:
            context = self.span.get_span_context()
            for call_id, _, _ in self._tool_calls.values():
                if call_id:
                    toolcalls.remember(call_id, context)
        if self._step is not None and self.request.inference:
            usage = self._usage or _NO_USAGE
            self._step.add({field: usage[name] for field, name in _USAGE_FIELD_ATTRIBUTES if name in usage},
                           cost=None if cost is None else cost.total,
                           unpriced_calls=1 if cost is None or cost.total is None else 0)
        if cost is not None and cost.total:
            if self._budget is not None:
                self._budget.add(cost.total)
            request = self.request
            self._engine.metrics.record_cost(cost.total, request.provider, request.model, self.response_model)


def _parse_arguments(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
