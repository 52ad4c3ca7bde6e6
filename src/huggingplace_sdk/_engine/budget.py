"""The opt-in spend guard of ``session(budget_usd=..., on_budget=...)``.

A Budget lives in a contextvar, so it follows ``await``, ``asyncio.gather``, tasks and ``with_context``
threads like the session does. Spend is added under a lock in exact decimals when a call's span ends; a
call that starts at or over the limit warns (one log line per budget, an event on every such call's span)
or raises :class:`BudgetExceededError` before any request is sent.
"""

from __future__ import annotations

import logging
import math
import threading
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from opentelemetry.trace import Span

from .. import _semconv as sc
from .._errors import BudgetExceededError

_logger = logging.getLogger("huggingplace_sdk")

ON_BUDGET_WARN = "warn"
ON_BUDGET_RAISE = "raise"
ON_BUDGET_MODES = (ON_BUDGET_WARN, ON_BUDGET_RAISE)


def parse_budget(budget_usd: Any, on_budget: Any) -> tuple[Decimal | None, str]:
    """Validate the session's arguments (a bad one raises at construction)."""
    if on_budget not in ON_BUDGET_MODES:
        raise ValueError(f"on_budget must be one of {ON_BUDGET_MODES}, not {on_budget!r}")
    if budget_usd is None:
        return None, on_budget
    if isinstance(budget_usd, bool) or not isinstance(budget_usd, (int, float, Decimal)):
        raise TypeError(f"budget_usd must be a number of US dollars, not {type(budget_usd).__name__}")
    if isinstance(budget_usd, float) and not math.isfinite(budget_usd):
        raise ValueError(f"budget_usd must be finite, not {budget_usd!r}")
    limit = Decimal(str(budget_usd)) if isinstance(budget_usd, float) else Decimal(budget_usd)
    if not limit.is_finite() or limit < 0:
        raise ValueError(f"budget_usd must be a finite number >= 0, not {budget_usd!r}")
    return limit, on_budget


class Budget:
    """The spend of one session entry; a nested session's spend also counts against its outer budgets."""

    __slots__ = ("_lock", "_spent", "_warned", "limit", "mode", "parent", "session_id")

    def __init__(self, session_id: str, limit: Decimal | None, mode: str, parent: Budget | None) -> None:
        self.session_id = session_id
        self.limit = limit
        self.mode = mode
        self.parent = parent
        self._spent = Decimal(0)
        self._warned = False
        self._lock = threading.Lock()

    @property
    def spent(self) -> Decimal:
        with self._lock:
            return self._spent

    def add(self, amount: Decimal) -> None:
        budget: Budget | None = self
        while budget is not None:
            with budget._lock:
                budget._spent += amount
            budget = budget.parent

    def _over(self) -> Budget | None:
        """The innermost budget at or over its limit, if any."""
        budget: Budget | None = self
        while budget is not None:
            if budget.limit is not None and budget.spent >= budget.limit:
                return budget
            budget = budget.parent
        return None

    def before_call(self) -> Budget | None:
        """Raise in ``raise`` mode when over; otherwise the budget that is over (for the warning), or None."""
        over = self._over()
        if over is None:
            return None
        spent = over.spent
        if over.mode == ON_BUDGET_RAISE:
            raise BudgetExceededError(over.session_id, over.limit or Decimal(0), spent)
        with over._lock:
            first, over._warned = not over._warned, True
        if first:
            _logger.warning("session %s reached its budget: spent %s USD of %s USD; further LLM calls are "
                            "still made (on_budget='warn')", over.session_id, spent, over.limit)
        return over

    def mark(self, span: Span) -> None:
        """The event on a call started at or over the budget (warn mode)."""
        span.add_event(sc.HP_BUDGET_EVENT, {sc.HP_BUDGET_LIMIT: float(self.limit or 0),
                                            sc.HP_BUDGET_SPENT: float(self.spent), sc.SESSION_ID: self.session_id})


current_budget: ContextVar[Budget | None] = ContextVar("huggingplace_current_budget", default=None)
