"""The never-break-the-app guard for the exporter's own code."""

from __future__ import annotations

import logging
import os

_logger = logging.getLogger("huggingplace.exporter")


def internal_error(where: str, *, reraise: bool = True) -> None:
    """Call from an ``except`` block. Our bug must never reach the app: it is logged; under pytest
    (``PYTEST_CURRENT_TEST`` set) it is re-raised so the test fails loudly instead."""
    if reraise and os.environ.get("PYTEST_CURRENT_TEST"):
        raise
    _logger.exception("huggingplace exporter: internal error in %s", where)
