"""Checks every adapter distribution's tests run: packaging, and instrument() idempotent, reversible and
quiet when the vendor library is missing."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from .._engine.activation import declared_vendor_modules

_ENTRY_POINT_GROUP = "opentelemetry_instrumentor"


def check_adapter_distribution(package: ModuleType, instrumentor: type, *, distribution: str, entry_point: str,
                               instruments: tuple[str, ...]) -> None:
    """``package`` ships ``py.typed``; ``instrumentor`` declares ``instruments``; the entry point loads it;
    the distribution's ``instruments`` extra requires exactly those versions."""
    from packaging.requirements import Requirement  # a pytest dependency; only this check needs it

    assert package.__file__ is not None and (Path(package.__file__).parent / "py.typed").exists()
    assert tuple(instrumentor().instrumentation_dependencies()) == instruments
    (entry,) = [e for e in metadata.entry_points(group=_ENTRY_POINT_GROUP) if e.name == entry_point]
    assert entry.load() is instrumentor
    requirements = [Requirement(r) for r in metadata.requires(distribution) or []]
    extra = [r for r in requirements if r.marker is not None and r.marker.evaluate({"extra": "instruments"})]
    declared = [Requirement(r) for r in instruments]
    assert [(r.name, r.specifier) for r in extra] == [(r.name, r.specifier) for r in declared], extra
    # instrument() loads the adapter when one of its _vendor_modules is imported: each module it patches
    # must lie in one of them, or it would be imported without the adapter ever loading.
    vendor_modules = declared_vendor_modules(package)
    assert vendor_modules is not None, f"{package.__name__} declares no _vendor_modules"
    for target in instrumentor().targets():
        assert any(target.module == v or target.module.startswith(v + ".") for v in vendor_modules), (
            f"{target.module} is outside {package.__name__}._vendor_modules {vendor_modules}")


def _owner_of(module: str, name: str) -> tuple[Any, str]:
    owner: Any = importlib.import_module(module)
    *path, attribute = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    return owner, attribute


def _current(owner: Any, attribute: str) -> Any:
    return vars(owner)[attribute] if isinstance(owner, type) else getattr(owner, attribute)


def check_instrument_idempotent_and_reversible(make_instrumentor: Callable[[], Any], module: str,
                                               name: str) -> None:
    """A second instrument() wraps nothing twice; uninstrument() (twice too) restores ``module.name``."""
    owner, attribute = _owner_of(module, name)
    original = _current(owner, attribute)
    instrumentor = make_instrumentor()
    instrumentor.instrument()
    wrapped = _current(owner, attribute)
    instrumentor.instrument()  # a second call changes nothing
    assert _current(owner, attribute) is wrapped is not original
    instrumentor.uninstrument()
    instrumentor.uninstrument()
    assert _current(owner, attribute) is original


def check_missing_vendor_modules_skipped(make_instrumentor: Callable[[], Any], module: str, name: str,
                                         vendor_modules: Iterable[str]) -> None:
    """With ``vendor_modules`` unimportable, instrument() raises nothing and leaves ``module.name`` alone."""
    owner, attribute = _owner_of(module, name)
    original = _current(owner, attribute)
    hidden = {m: sys.modules.get(m) for m in vendor_modules}
    try:
        for hidden_module in hidden:
            sys.modules[hidden_module] = None  # type: ignore[assignment]  # importing it now raises ImportError
        instrumentor = make_instrumentor()
        instrumentor.instrument()  # no ImportError
        assert _current(owner, attribute) is original
        instrumentor.uninstrument()
    finally:
        for hidden_module, previous in hidden.items():
            if previous is None:
                sys.modules.pop(hidden_module, None)
            else:
                sys.modules[hidden_module] = previous
