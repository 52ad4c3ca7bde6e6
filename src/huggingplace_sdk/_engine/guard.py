"""The never-break-the-call guard: our own failures are counted and logged once, never raised at users.

Under pytest (``PYTEST_CURRENT_TEST`` set) they re-raise, so that a bug fails a test instead of hiding.
A test that checks the guard itself turns re-raising off with :func:`tolerate_internal_errors`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_logger = logging.getLogger("huggingplace_sdk.engine")
_lock = threading.Lock()
_logged_sites: set[str] = set()
_counts: dict[str, int] = {}
_tolerate_depth = 0


class InternalError(RuntimeError):
    """Raised under pytest when our own code failed; wraps the original error."""


def internal_error_counts() -> dict[str, int]:
    """How many internal errors happened, by site (for tests and diagnostics)."""
    with _lock:
        return dict(_counts)


def report_internal_error(site: str, exc: BaseException) -> None:
    """Count and log (once per site) a failure of our own code; re-raise it under pytest."""
    with _lock:
        _counts[site] = _counts.get(site, 0) + 1
        first = site not in _logged_sites
        _logged_sites.add(site)
    if first:
        _logger.warning("huggingplace instrumentation error in %s (further ones counted, not logged)", site,
                        exc_info=exc)
    if _tolerate_depth == 0 and os.environ.get("PYTEST_CURRENT_TEST"):
        raise InternalError(f"internal error in {site}: {exc!r}") from exc


def guarded(site: str, action: Callable[..., Any], *args: Any) -> None:
    """Run a piece of our own bookkeeping; its failure is reported, never raised at the caller."""
    try:
        action(*args)
    except Exception as exc:
        report_internal_error(site, exc)


@contextmanager
def tolerate_internal_errors() -> Iterator[None]:
    """Within this block internal errors are only counted and logged, even under pytest."""
    global _tolerate_depth
    with _lock:
        _tolerate_depth += 1
    try:
        yield
    finally:
        with _lock:
            _tolerate_depth -= 1
