"""Adapters that load when their vendor is imported: instrument() arms one import hook per adapter, nothing more.

An adapter package keeps its ``__init__`` light: it declares ``_vendor_modules`` (the modules whose import means
the app uses the vendor) and exports its instrumentor through :func:`lazy_exports`. instrument() imports only
that package, checks that a vendor module can be found (``find_spec``, which imports nothing of the vendor), and
waits: the adapter's own modules, the engine and wrapt load when the app imports the vendor, or at once if it
already has. An app that never imports anthropic never
pays for our anthropic adapter. Standard stdlib only here: this module is on the start-up path.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from importlib.util import find_spec
from typing import Any, Protocol

from .imports import ImportHook, is_post_import_finder, when_imported

_logger = logging.getLogger("huggingplace_sdk")

VENDOR_MODULES_ATTRIBUTE = "_vendor_modules"


class Instrumentor(Protocol):
    """What an activation drives: an OpenTelemetry instrumentor (ours are GenAIInstrumentors)."""

    @property
    def is_instrumented_by_opentelemetry(self) -> bool: ...

    def uninstrument(self, **kwargs: Any) -> None: ...


class EntryPointLike(Protocol):
    """``importlib.metadata.EntryPoint``, as far as activation reads it."""

    @property
    def module(self) -> str: ...

    def load(self) -> Any: ...


def lazy_exports(package: str, **exports: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) importing each export from its submodule on first access.

    ``__getattr__ = lazy_exports(__name__, OpenAIInstrumentor="._instrumentor")``
    """

    def __getattr__(name: str) -> Any:
        submodule = exports.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(submodule, package), name)
        setattr(sys.modules[package], name, value)  # later accesses skip this function
        return value

    return __getattr__


def declared_vendor_modules(package: Any) -> tuple[str, ...] | None:
    """The adapter package's ``_vendor_modules``, or None when it declares none (it is then loaded at once)."""
    declared = getattr(package, VENDOR_MODULES_ATTRIBUTE, None)
    if (isinstance(declared, tuple) and declared
            and all(isinstance(module, str) and module for module in declared)):
        return declared
    if declared is not None:
        _logger.warning("%s.%s must be a non-empty tuple of module names; the adapter is loaded at once",
                        getattr(package, "__name__", package), VENDOR_MODULES_ATTRIBUTE)
    return None


def vendor_installed(modules: Sequence[str]) -> bool:
    """Whether any of ``modules`` can be imported, importing none of them nor their parent packages."""
    # sys.modules[name] = None blocks an import: such a module counts as missing.
    return any(sys.modules[module] is not None if module in sys.modules else _findable(module)
               for module in modules)


def _findable(module: str) -> bool:
    # importlib.util.find_spec("google.genai") would import the package google: walk the parents' search
    # locations through the import system's finders instead.
    top, *rest = module.split(".")
    try:
        spec = find_spec(top)
        name = top
        for part in rest:
            locations = None if spec is None else spec.submodule_search_locations
            if locations is None:
                return False
            name = f"{name}.{part}"
            spec = _find_submodule(name, list(locations))
    except (ImportError, ValueError):  # a broken __spec__ or a finder refusing the name
        return False
    return spec is not None


def _find_submodule(name: str, locations: list[str]) -> ModuleSpec | None:
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None or is_post_import_finder(finder):
            continue
        spec: ModuleSpec | None = find(name, locations)
        if spec is not None:
            return spec
    return None


class AdapterActivation:
    """One adapter of ``instrument()``: ``waiting`` for its vendor's import, then ``active`` or ``skipped``.

    ``instrumentor`` is the adapter's instrumentor once active; ``reason`` says why an adapter
    was skipped (its vendor's version out of range, another instrumentation already active, ...).
    """

    WAITING = "waiting"
    ACTIVE = "active"
    SKIPPED = "skipped"
    STOPPED = "stopped"

    def __init__(self, name: str, entry_point: EntryPointLike,
                 start: Callable[[Any], tuple[Instrumentor | None, str]]) -> None:
        self.name = name
        self.state = self.WAITING
        self.instrumentor: Instrumentor | None = None
        self.reason = ""
        self.vendor_modules: tuple[str, ...] = ()
        self._entry_point = entry_point
        self._start = start
        self._hooks: list[ImportHook] = []
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        detail = f", reason={self.reason!r}" if self.reason else ""
        return f"AdapterActivation({self.name!r}, {self.state}{detail})"

    def arm(self, vendor_modules: tuple[str, ...]) -> None:
        """Activate when any of ``vendor_modules`` is imported (now, if one already is)."""
        self.vendor_modules = vendor_modules
        for module in vendor_modules:
            with self._lock:
                if self.state != self.WAITING:
                    return
                self._hooks.append(when_imported(module, self._on_vendor_import))

    def activate_now(self) -> None:
        self._activate("instrument()")

    def _on_vendor_import(self, module: Any) -> None:
        self._activate(getattr(module, "__name__", "a vendor module"))

    def _activate(self, trigger: str) -> None:
        with self._lock:
            if self.state != self.WAITING:
                return
            self._cancel_hooks()
            try:
                instrumentor_class = self._entry_point.load()
            except ImportError as exc:
                self.state, self.reason = self.SKIPPED, f"the adapter could not be loaded: {exc}"
                _logger.debug("adapter %s not loaded: %s", self.name, exc)
                return
            instrumentor, reason = self._start(instrumentor_class)
            if instrumentor is None:
                self.state, self.reason = self.SKIPPED, reason
                return
            self.instrumentor, self.state = instrumentor, self.ACTIVE
            _logger.debug("adapter %s activated (on %s)", self.name, trigger)

    def uninstrument(self) -> None:
        """Stop waiting and restore what the adapter patched; idempotent."""
        with self._lock:
            self._cancel_hooks()
            if self.instrumentor is not None:
                self.instrumentor.uninstrument()
                self.instrumentor = None
            self.state = self.STOPPED

    def _cancel_hooks(self) -> None:
        for hook in self._hooks:
            hook.cancel()
        self._hooks = []


def arm_adapter(name: str, entry_point: EntryPointLike,
                start: Callable[[Any], tuple[Instrumentor | None, str]]) -> AdapterActivation | None:
    """The activation of one adapter, or None when its vendor is not installed (nothing to trace)."""
    try:
        package = importlib.import_module(entry_point.module)
    except ImportError as exc:
        _logger.debug("adapter %s not loaded: %s", name, exc)
        return None
    activation = AdapterActivation(name, entry_point, start)
    vendor_modules = declared_vendor_modules(package)
    if vendor_modules is None:
        activation.activate_now()  # an adapter declaring no vendor modules: loaded and checked now, as OTel does
        return activation if activation.state == AdapterActivation.ACTIVE else None
    if not vendor_installed(vendor_modules):
        _logger.debug("adapter %s skipped: none of %s is installed", name, ", ".join(vendor_modules))
        return None
    activation.arm(vendor_modules)
    return activation
