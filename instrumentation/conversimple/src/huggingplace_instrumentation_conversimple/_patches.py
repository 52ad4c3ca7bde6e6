"""The adapter's hooks: installed with wrapt, restored by identity (the engine restores only Targets)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import wrapt


class Patches:
    def __init__(self) -> None:
        self._originals: list[tuple[Any, str, Any]] = []

    def wrap(self, module: str, name: str, wrapper: Callable[..., Any]) -> None:
        """Wrap ``module.name`` (``"Class.method"`` or ``"function"``); missing ones are skipped."""
        try:
            owner: Any = importlib.import_module(module)
        except ImportError:
            return
        *path, attribute = name.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        if owner is None or attribute not in vars(owner):
            return
        self._originals.append((owner, attribute, vars(owner)[attribute]))
        wrapt.wrap_function_wrapper(owner, attribute, wrapper)

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._originals):
            setattr(owner, attribute, original)
        self._originals.clear()
