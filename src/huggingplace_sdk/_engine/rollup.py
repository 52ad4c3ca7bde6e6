"""Token and cost roll-up from LLM calls into the user's enclosing step, counted once per step."""

from __future__ import annotations

import threading
from contextvars import ContextVar
from decimal import Decimal

from opentelemetry.trace import Span
from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc

USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
                "reasoning_output_tokens")


class UsageTotals:
    """Sums of the usage and cost of the calls (and nested steps) under one step."""

    __slots__ = ("_lock", "calls", "closed", "cost", "totals", "unpriced_calls")

    def __init__(self) -> None:
        self.totals = dict.fromkeys(USAGE_FIELDS, 0)
        self.calls = 0
        self.cost = Decimal(0)  # exact: the sum of the priced calls' costs in USD
        self.unpriced_calls = 0
        self.closed = False
        self._lock = threading.Lock()

    def add(self, usage: dict[str, int | None], calls: int = 1, *, cost: Decimal | None = None,
            unpriced_calls: int = 0) -> bool:
        """Add one call's (or a finished child step's) usage and cost; False once the step has ended."""
        with self._lock:
            if self.closed:
                return False
            for key in USAGE_FIELDS:
                value = usage.get(key)
                if value:
                    self.totals[key] += value
            self.calls += calls
            if cost:
                self.cost += cost
            self.unpriced_calls += unpriced_calls
            return True

    def close(self) -> dict[str, int]:
        with self._lock:
            self.closed = True
            return dict(self.totals)


current_step: ContextVar[UsageTotals | None] = ContextVar("huggingplace_current_step", default=None)


_STEP_USAGE_ATTRIBUTES = (  # roll-up field, step span attribute
    ("input_tokens", sc.HP_STEP_USAGE_INPUT),
    ("output_tokens", sc.HP_STEP_USAGE_OUTPUT),
    ("cache_read_input_tokens", sc.HP_STEP_USAGE_CACHE_READ),
    ("cache_creation_input_tokens", sc.HP_STEP_USAGE_CACHE_CREATION),
    ("reasoning_output_tokens", sc.HP_STEP_USAGE_REASONING),
)


def close_step_usage(span: Span, usage: UsageTotals, parent: UsageTotals | None) -> None:
    """A step ends: its token and cost roll-up goes on its span and into the enclosing step (each call counted once)."""
    totals = usage.close()
    attrs: dict[str, AttributeValue] = {sc.HP_STEP_LLM_CALLS: usage.calls}
    for key, name in _STEP_USAGE_ATTRIBUTES:
        if totals[key]:
            attrs[name] = totals[key]
    if usage.calls:
        attrs[sc.HP_STEP_COST_AMOUNT] = float(usage.cost)
        attrs[sc.HP_COST_CURRENCY] = sc.COST_CURRENCY_USD
        if usage.unpriced_calls:
            attrs[sc.HP_STEP_COST_UNPRICED_CALLS] = usage.unpriced_calls
    span.set_attributes(attrs)
    if parent is not None:
        parent.add(dict(totals), calls=usage.calls, cost=usage.cost, unpriced_calls=usage.unpriced_calls)
