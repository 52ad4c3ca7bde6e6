"""Non-span hooks (retry counting, stream observation) installed beside the engine's Targets.

The engine restores only its own Targets, so these keep their originals and put them back by identity.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import wrapt

_MISSING = object()


class Patches:
    def __init__(self) -> None:
        self._originals: list[tuple[Any, str, Any]] = []

    def wrap(self, module: str, class_name: str, method: str, wrapper: Callable[..., Any]) -> None:
        """Wrap ``module.class_name.method``; a missing module or attribute is skipped."""
        try:
            owner = getattr(importlib.import_module(module), class_name, None)
        except ImportError:
            return
        if owner is None or method not in vars(owner):
            return
        self._originals.append((owner, method, vars(owner)[method]))
        wrapt.wrap_function_wrapper(owner, method, wrapper)

    def restore(self) -> None:
        for owner, method, original in reversed(self._originals):
            setattr(owner, method, original)
        self._originals.clear()
