"""Malformed recordings replayed through an adapter's real vendor client, without and then with instrumentation.

An adapter describes itself once as a :class:`MutationSubject` (its cassettes, how to make the call of one
recorded interaction, its instrumentor). :func:`mutation_cases` derives the malformed variants of its
recordings (see ``_mutations``) and picks a spread that covers every kind; :func:`check_mutation` replays one
and asserts that:

- the caller gets exactly what the un-instrumented client gives for the same mutated recording (the same
  result, or the same exception, compared by type and text);
- every span started ends exactly once, before the call returns (no waiting for garbage collection);
- no internal error of ours happened (under pytest they re-raise, so a bug shows as a different outcome);
- the attributes and metric points that survive are well-typed (:func:`span_attribute_problems`,
  :func:`metric_problems`).

Call :func:`check_mutation` from a synchronous test: an async ``call`` is run with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import random
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.guard import internal_error_counts
from huggingplace_sdk.testing._capture import SpanCapture, capture_spans
from huggingplace_sdk.testing._cassette import Interaction, load_cassette
from huggingplace_sdk.testing._mutations import MUTATION_KINDS, Mutation, mutations_of
from huggingplace_sdk.testing._replay import ReplayServer

MAX_INT64 = 2**63 - 1
# Overrides ``per_kind`` of every mutation_cases() call: e.g. a few cases per kind when the adapters' tests are
# re-run against their oldest supported vendor releases.
MUTATION_CASES_ENV = "HUGGINGPLACE_MUTATION_CASES_PER_KIND"
_logger = logging.getLogger(__name__)
# Fields whose mutation matters most to a GenAI adapter: a sample takes them first (the last key of a path).
DEFAULT_FOCUS = frozenset({
    "id", "model", "usage", "choices", "content", "message", "delta", "index", "finish_reason", "stop_reason",
    "type", "text", "tool_calls", "function", "name", "arguments", "input_tokens", "output_tokens",
    "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens",
    "cache_read_input_tokens", "cache_creation_input_tokens", "data", "embedding", "output", "status",
    "response", "role", "error", "candidates", "parts",
})
_STRING_KEYS = (sc.GEN_AI_RESPONSE_ID, sc.GEN_AI_RESPONSE_MODEL, sc.GEN_AI_REQUEST_MODEL, sc.ERROR_TYPE,
                sc.GEN_AI_OPERATION_NAME, sc.GEN_AI_PROVIDER_NAME, sc.HP_USAGE_SOURCE, sc.HP_STREAM_OUTCOME)
_STRING_LIST_KEYS = (sc.GEN_AI_RESPONSE_FINISH_REASONS, sc.HP_TOOL_CALL_IDS, sc.HP_TOOL_CALL_NAMES,
                     sc.HP_REJECTED_FIELDS)
_TOKEN_KEYS = (sc.GEN_AI_USAGE_INPUT_TOKENS, sc.GEN_AI_USAGE_OUTPUT_TOKENS, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
               sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS)
_JSON_KEYS = (sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES, sc.GEN_AI_SYSTEM_INSTRUCTIONS,
              sc.GEN_AI_TOOL_DEFINITIONS)
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# OpenTelemetry SDK loggers that report a span ended twice or an attribute value it had to drop.
_OTEL_LOGGERS = ("opentelemetry.sdk.trace", "opentelemetry.attributes")


@dataclass(frozen=True)
class MutationSubject:
    """What an adapter supplies to be checked against malformed recordings.

    ``call(base_url, cassette, interaction)`` makes, with a fresh vendor client pointed at ``base_url``, the
    call the recorded ``interaction`` answered, consumes any stream, and returns what the caller got (chunks
    included) or an awaitable of it. ``instrumentor()`` returns a new instrumentor. ``accepts`` narrows the
    interactions that are mutated (default: all).
    """

    name: str
    cassettes: Sequence[Path]
    call: Callable[[str, Path, Interaction], Any]
    instrumentor: Callable[[], Any]
    accepts: Callable[[Path, Interaction], bool] | None = None


@dataclass(frozen=True)
class MutationCase:
    """One mutation of one recorded interaction of one cassette."""

    cassette: Path
    mutation: Mutation

    @property
    def id(self) -> str:
        return f"{self.cassette.stem}-{self.mutation.label}"


@dataclass
class MutationReport:
    """What :func:`check_mutation` saw: the caller's outcome (the same in both runs) and the spans."""

    outcome: tuple[str, Any]
    spans: list[ReadableSpan] = field(default_factory=list)


@lru_cache(maxsize=256)
def _interactions(cassette: Path) -> tuple[Interaction, ...]:
    return tuple(load_cassette(cassette))


def all_mutation_cases(subject: MutationSubject) -> list[MutationCase]:
    """Every mutation of every accepted interaction of the subject's cassettes."""
    cases: list[MutationCase] = []
    for cassette in subject.cassettes:
        for interaction in _interactions(Path(cassette)):
            if subject.accepts is None or subject.accepts(Path(cassette), interaction):
                cases += [MutationCase(Path(cassette), mutation) for mutation in mutations_of(interaction)]
    return cases


def _interleaved(cases: list[MutationCase], seed: int) -> list[MutationCase]:
    """Cases shuffled within each cassette, then taken one cassette at a time (a spread over cassettes)."""
    groups: dict[Path, list[MutationCase]] = {}
    for case in cases:
        groups.setdefault(case.cassette, []).append(case)
    rng = random.Random(seed)
    queues = []
    for group in groups.values():
        rng.shuffle(group)
        queues.append(group)
    ordered: list[MutationCase] = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def _focused(case: MutationCase, focus: frozenset[str]) -> bool:
    keys = [part for part in case.mutation.path if isinstance(part, str)]
    return not case.mutation.path or (bool(keys) and keys[-1] in focus)


def mutation_cases(subject: MutationSubject, *, per_kind: int = 40, focus: frozenset[str] = DEFAULT_FOCUS,
                   seed: int = 0) -> list[MutationCase]:
    """A deterministic sample of at most ``per_kind`` cases of each kind in ``MUTATION_KINDS``, spread over
    the cassettes, two thirds of them on fields named in ``focus`` when there are enough. The environment
    variable ``HUGGINGPLACE_MUTATION_CASES_PER_KIND`` overrides ``per_kind``."""
    configured = os.environ.get(MUTATION_CASES_ENV)
    if configured:
        try:
            per_kind = max(1, int(configured))
        except ValueError:
            _logger.warning("%s=%r is not an integer; using %d", MUTATION_CASES_ENV, configured, per_kind)
    by_kind: dict[str, list[MutationCase]] = {kind: [] for kind in MUTATION_KINDS}
    for case in all_mutation_cases(subject):
        by_kind[case.mutation.kind].append(case)
    chosen: list[MutationCase] = []
    for kind in MUTATION_KINDS:
        cases = by_kind[kind]
        focused = _interleaved([c for c in cases if _focused(c, focus)], seed)
        others = _interleaved([c for c in cases if not _focused(c, focus)], seed)
        first = focused[: max(per_kind * 2 // 3, per_kind - len(others))]
        chosen += first + others[: per_kind - len(first)]
    return chosen


# --- one check ---------------------------------------------------------------------------------------------
class _SpanLedger(SpanProcessor):
    """Counts, per span, how often it started and ended."""

    def __init__(self) -> None:
        self.started: dict[int, str] = {}
        self.ended: dict[int, int] = {}

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self.started[span.context.span_id] = span.name

    def on_end(self, span: ReadableSpan) -> None:
        if span.context is not None:
            self.ended[span.context.span_id] = self.ended.get(span.context.span_id, 0) + 1

    def problems(self) -> list[str]:
        found = [f"span {name!r} not ended when the call returned" for sid, name in self.started.items()
                 if sid not in self.ended]
        found += [f"span {self.started.get(sid, sid)!r} ended {count} times" for sid, count in self.ended.items()
                  if count != 1]
        return found


class _WarningRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


@contextmanager
def _otel_warnings() -> Iterator[list[str]]:
    handler = _WarningRecords()
    loggers = [logging.getLogger(name) for name in _OTEL_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _snapshot(value: Any, depth: int = 0) -> Any:
    """A comparable picture of what the caller got: types and texts, memory addresses left out."""
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if isinstance(value, BaseException):
        return kind, _ADDRESS.sub("", str(value))
    if isinstance(value, (list, tuple)) and depth < 3:
        return kind, [_snapshot(item, depth + 1) for item in value]
    return kind, _ADDRESS.sub("", repr(value))


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _outcome(subject: MutationSubject, base_url: str, cassette: Path, interaction: Interaction) -> tuple[str, Any]:
    try:
        result = subject.call(base_url, cassette, interaction)
        if inspect.isawaitable(result):
            result = asyncio.run(_awaited(result))
    except Exception as exc:
        return "raised", _snapshot(exc)
    return "returned", _snapshot(result)


def _value_problem(key: str, value: Any) -> str | None:
    items = value if isinstance(value, (list, tuple)) else (value,)
    for item in items:
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"{key}: text that cannot be encoded as UTF-8"
        elif isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item <= MAX_INT64:
            return f"{key}: integer {item} beyond int64"
        elif not isinstance(item, (bool, int, float)):
            return f"{key}: value of type {type(item).__name__}"
    if isinstance(value, (list, tuple)) and len({type(item) for item in value}) > 1:
        return f"{key}: mixed-type sequence"
    return None


def span_attribute_problems(span: ReadableSpan) -> list[str]:
    """What is wrong with a span's attributes (and its events'): values that are not valid attribute values or
    cannot be encoded, and GenAI attributes of the wrong type or range. Empty when all is well-typed."""
    attrs = dict(span.attributes or {})
    found = [problem for key, value in attrs.items() if (problem := _value_problem(key, value)) is not None]
    for event in span.events:
        found += [f"event {event.name}: {problem}" for key, value in (event.attributes or {}).items()
                  if (problem := _value_problem(key, value)) is not None]
    for key in _STRING_KEYS:
        if key in attrs and not isinstance(attrs[key], str):
            found.append(f"{key} is not a string")
    for key in _STRING_LIST_KEYS:
        if key in attrs and not (isinstance(attrs[key], (list, tuple))
                                 and all(isinstance(v, str) for v in attrs[key])):  # type: ignore[union-attr]
            found.append(f"{key} is not a list of strings")
    for key in _TOKEN_KEYS:
        value = attrs.get(key)
        if key in attrs and not (type(value) is int and 0 <= value <= MAX_INT64):
            found.append(f"{key} = {value!r} is not a token count")
    for key in _JSON_KEYS:
        if key in attrs:
            try:
                json.loads(str(attrs[key]))
            except ValueError:
                found.append(f"{key} is not valid JSON")
    return found


def metric_problems(capture: SpanCapture) -> list[str]:
    """What is wrong with the GenAI metric points recorded so far: attribute values and token counts."""
    found: list[str] = []
    data = capture.metric_reader.get_metrics_data()
    for resource_metrics in (data.resource_metrics if data else []):
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    for key, value in (point.attributes or {}).items():
                        problem = _value_problem(key, value)
                        if problem is not None:
                            found.append(f"{metric.name}: {problem}")
                    if metric.name == sc.METRIC_TOKEN_USAGE and not (
                            point.min >= 0 and point.max <= MAX_INT64):  # type: ignore[union-attr]
                        found.append(f"{metric.name}: token count out of range")
    return found


def check_mutation(subject: MutationSubject, case: MutationCase, *, capture_content: bool = True,
                   expect_spans: bool = True) -> MutationReport:
    """Replay ``case`` without, then with, the subject's instrumentation; raise AssertionError on any
    difference seen by the caller, a span not ended exactly once, an internal error, or an ill-typed
    attribute or metric point. ``expect_spans`` (default) also requires that the call was traced."""
    interaction = _interactions(case.cassette)[case.mutation.interaction]
    mutated = case.mutation.apply(interaction)
    where = f"{subject.name} {case.id}"
    with ReplayServer(case.cassette, interactions=[mutated], repeat=True,
                      stream_fault=case.mutation.stream_fault) as server:
        expected = _outcome(subject, server.base_url, case.cassette, interaction)
        errors_before = internal_error_counts()
        with capture_spans() as capture, _otel_warnings() as warnings:
            ledger = _SpanLedger()
            capture.tracer_provider.add_span_processor(ledger)
            with capture.instrumented(subject.instrumentor(), capture_content=capture_content):
                got = _outcome(subject, server.base_url, case.cassette, interaction)
                open_or_twice = ledger.problems()  # right after the call: no garbage collection first
            spans = capture.spans()
            problems = [f"{span.name}: {p}" for span in spans for p in span_attribute_problems(span)]
            problems += metric_problems(capture)
        errors_after = internal_error_counts()
    assert got == expected, f"{where}: the caller saw {got!r}\nwithout instrumentation: {expected!r}"
    assert not open_or_twice, f"{where}: {open_or_twice}"
    assert errors_after == errors_before, f"{where}: internal errors {errors_before} -> {errors_after}"
    assert not warnings, f"{where}: OpenTelemetry warned: {warnings}"
    assert not problems, f"{where}: ill-typed telemetry: {problems}"
    if expect_spans:
        assert ledger.started, f"{where}: the call started no span"
    return MutationReport(outcome=expected, spans=spans)
