"""Trace assembly: buffer ended spans per trace until their local root ends, then hand out interactions.

A *local root* is a span whose parent is absent or remote. When it ends we wait ``late_child_wait`` seconds
(by the injected clock) for children that end after it (fire-and-forget tasks), then release the root with
every buffered span of its trace that descends from it, plus the trace's orphans (spans whose parent never
arrived). Spans that stay idle ``partial_after`` seconds without their root ending are released as a
*partial* interaction. Memory is bounded by ``max_spans_per_trace`` and ``max_open_traces``; whatever those
bounds turn away is counted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from opentelemetry.sdk.trace import ReadableSpan


def is_local_root(span: ReadableSpan) -> bool:
    parent = span.parent
    return parent is None or parent.is_remote


@dataclass(frozen=True, slots=True)
class Interaction:
    """The spans of one root interaction, as released by the assembler."""

    trace_id: int
    root: ReadableSpan | None  # None for a partial interaction (the root never ended within the bound)
    spans: list[ReadableSpan]  # every span, the root included, in arrival order
    dropped_spans: int = 0  # spans refused because the trace exceeded max_spans_per_trace

    @property
    def partial(self) -> bool:
        return self.root is None


@dataclass(slots=True)
class _OpenTrace:
    spans: list[ReadableSpan] = field(default_factory=list)
    roots: list[ReadableSpan] = field(default_factory=list)  # ended local roots not released yet
    last_activity: float = 0.0
    dropped_spans: int = 0


@dataclass(slots=True)
class AssemblyCounters:
    spans_dropped_trace_full: int = 0  # refused: the trace already held max_spans_per_trace spans
    traces_evicted: int = 0  # released early because max_open_traces was reached
    partial_interactions: int = 0


class TraceAssembler:
    """Thread-safe; ``add`` is O(spans) and ``release_due`` is O(released spans) amortised."""

    def __init__(
        self,
        *,
        late_child_wait: float,
        partial_after: float,
        max_spans_per_trace: int,
        max_open_traces: int,
        clock: Callable[[], float],
    ) -> None:
        self._late_child_wait = late_child_wait
        self._partial_after = partial_after
        self._max_spans = max_spans_per_trace
        self._max_traces = max_open_traces
        self._clock = clock
        self._lock = threading.Lock()
        # Ordered by last activity, oldest first: the front is the next partial/eviction candidate.
        self._traces: OrderedDict[int, _OpenTrace] = OrderedDict()
        # (ready time, trace id) of ended roots; the wait is constant so the deque stays time-ordered.
        self._ready: deque[tuple[float, int]] = deque()
        self.counters = AssemblyCounters()

    def __len__(self) -> int:
        return len(self._traces)

    @property
    def open_spans(self) -> int:
        with self._lock:
            return sum(len(t.spans) for t in self._traces.values())

    def add(self, spans: Iterable[ReadableSpan]) -> list[Interaction]:
        """Buffer spans; returns interactions released now (evictions, and roots whose wait is over)."""
        released: list[Interaction] = []
        with self._lock:
            now = self._clock()
            for span in spans:
                context = span.context
                if context is None:
                    continue
                trace_id = context.trace_id
                trace = self._traces.get(trace_id)
                if trace is None:
                    if len(self._traces) >= self._max_traces:
                        self._evict_oldest(released)
                    trace = self._traces[trace_id] = _OpenTrace()
                else:
                    self._traces.move_to_end(trace_id)
                trace.last_activity = now
                local_root = is_local_root(span)
                if len(trace.spans) >= self._max_spans and not local_root:
                    # Roots are always kept: without one the whole interaction would turn partial.
                    trace.dropped_spans += 1
                    self.counters.spans_dropped_trace_full += 1
                    continue
                trace.spans.append(span)
                if local_root:
                    trace.roots.append(span)
                    self._ready.append((now + self._late_child_wait, trace_id))
            self._release_due(now, released, partials=False)
        return released

    def release_due(self, *, flush: bool = False, final: bool = False) -> list[Interaction]:
        """Release what is due by the clock; ``flush`` also every ended root; ``final`` everything."""
        released: list[Interaction] = []
        with self._lock:
            now = self._clock()
            if flush or final:
                for trace_id in list(self._traces):
                    self._release_roots(trace_id, released)
                self._ready.clear()
            self._release_due(now, released, partials=True)
            if final:
                for trace_id in list(self._traces):
                    self._release_partial(trace_id, released)
        return released

    def next_deadline(self) -> float | None:
        """The clock time at which something becomes due, or None when nothing is buffered."""
        with self._lock:
            deadlines = []
            if self._ready:
                deadlines.append(self._ready[0][0])
            if self._traces:
                oldest = next(iter(self._traces.values()))
                deadlines.append(oldest.last_activity + self._partial_after)
            return min(deadlines) if deadlines else None

    def clear(self) -> None:
        with self._lock:
            self._traces.clear()
            self._ready.clear()

    # --- internals (lock held) -------------------------------------------------------------------

    def _release_due(self, now: float, released: list[Interaction], *, partials: bool) -> None:
        while self._ready and self._ready[0][0] <= now:
            _, trace_id = self._ready.popleft()
            self._release_roots(trace_id, released)
        if partials:
            while self._traces:
                trace_id, trace = next(iter(self._traces.items()))
                if trace.last_activity + self._partial_after > now:
                    break
                self._release_roots(trace_id, released)
                self._release_partial(trace_id, released)

    def _evict_oldest(self, released: list[Interaction]) -> None:
        trace_id = next(iter(self._traces))
        self.counters.traces_evicted += 1
        self._release_roots(trace_id, released)
        self._release_partial(trace_id, released)

    def _release_roots(self, trace_id: int, released: list[Interaction]) -> None:
        trace = self._traces.get(trace_id)
        if trace is None or not trace.roots:
            return
        groups = _group_by_root(trace.spans, trace.roots)
        remaining = groups.pop(None, [])
        for index, root in enumerate(trace.roots):
            spans = groups.get(root.context.span_id if root.context is not None else None, [])
            dropped = trace.dropped_spans if index == 0 else 0
            released.append(Interaction(trace_id, root, spans, dropped))
        trace.roots = []
        trace.dropped_spans = 0
        if remaining:
            trace.spans = remaining
        else:
            del self._traces[trace_id]

    def _release_partial(self, trace_id: int, released: list[Interaction]) -> None:
        trace = self._traces.pop(trace_id, None)
        if trace is None or not trace.spans:
            return
        self.counters.partial_interactions += 1
        released.append(Interaction(trace_id, None, trace.spans, trace.dropped_spans))


def _group_by_root(
    spans: list[ReadableSpan], roots: list[ReadableSpan]
) -> dict[int | None, list[ReadableSpan]]:
    """Assign each span to the ended root it descends from.

    Orphans (their chain stops at a span we never saw: a parent still running or dropped) go to the first
    ended root that was running when they started; an orphan that started outside every ended root's
    lifetime may belong to a root still running, so it stays buffered. Spans left buffered are returned
    under the key None.
    """
    # span id -> local parent id (None for a local root); read once, the SDK properties are not free.
    parent_of: dict[int, int | None] = {}
    for span in spans:
        context, parent = span.context, span.parent
        if context is not None:
            parent_of[context.span_id] = None if parent is None or parent.is_remote else parent.span_id
    ended_roots = {r.context.span_id for r in roots if r.context is not None}
    owner: dict[int, int | None] = {}
    groups: dict[int | None, list[ReadableSpan]] = {}
    for span in spans:
        if span.context is None:
            continue
        chain: list[int] = []
        current: int | None = span.context.span_id
        result: int | None = None
        while current is not None:
            if current in owner:
                result = owner[current]
                break
            chain.append(current)
            parent_id = parent_of[current]
            if parent_id is None:  # a local root
                result = current if current in ended_roots else None
                break
            if parent_id not in parent_of:  # an orphan: its parent never arrived
                result = _root_running_at(span.start_time, roots)
                break
            current = parent_id
        for span_id in chain:
            owner[span_id] = result
        groups.setdefault(result, []).append(span)
    return groups


def _root_running_at(start_time: int | None, roots: list[ReadableSpan]) -> int | None:
    for root in roots:
        if root.context is None or root.start_time is None or root.end_time is None or start_time is None:
            continue
        if root.start_time <= start_time <= root.end_time:
            return int(root.context.span_id)
    return None
