"""GenAIInstrumentor: the base of every adapter; wraps its Targets and restores them exactly.

Nothing is imported to instrument: each Target's module is patched when it is imported (at once if it
already is), so instrument() costs the same whether or not the app ever uses the vendor.

It is an OpenTelemetry instrumentor (the ``BaseInstrumentor`` interface, one instance per class, registered
as a virtual subclass of ``BaseInstrumentor``) without importing ``opentelemetry.instrumentation``: that
package brings packaging and its propagators into every process that loads an adapter. Zero-code mode and
anything else that imports ``BaseInstrumentor`` see ours as one.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import weakref
from collections.abc import Collection, Mapping, Sequence
from types import ModuleType
from typing import Any, ClassVar

import wrapt

from .engine import Engine
from .imports import ImportHook, when_imported
from .options import EngineOptions
from .spec import Hook, Target
from .versions import VersionConflict, conflict_of
from .wrapper import active_engine, make_async_wrapper, make_sync_wrapper

_logger = logging.getLogger("huggingplace_sdk.engine")
_MISSING = object()
# Import hooks fire on whichever thread imports the vendor; patching and restoring never interleave.
_patch_lock = threading.RLock()
_BASE_INSTRUMENTOR_MODULE = "opentelemetry.instrumentation.instrumentor"


class GenAIInstrumentor:
    """Subclasses set ``provider`` and ``instruments`` and return their Targets from ``targets()``.

    ``instrument(**kwargs)`` accepts the engine options (``tracer_provider``, ``meter_provider``,
    ``capture_content``, ``redact``, ``max_content_bytes``, ``emit_legacy_system``) and the adapter's own
    options, read by ``adapter_options``; like any OpenTelemetry instrumentor it also takes
    ``skip_dep_check`` and ``raise_exception_on_conflict``.
    """

    provider: ClassVar[str] = ""
    instruments: ClassVar[tuple[str, ...]] = ()
    engine: Engine | None = None
    _is_instrumented_by_opentelemetry = False

    def __new__(cls, *args: Any, **kwargs: Any) -> GenAIInstrumentor:
        instance = cls.__dict__.get("_instance")  # one per class, as BaseInstrumentor keeps it
        if instance is None:
            instance = object.__new__(cls)
            cls._instance = instance
        return instance  # type: ignore[no-any-return]

    @property
    def is_instrumented_by_opentelemetry(self) -> bool:
        return self._is_instrumented_by_opentelemetry

    def targets(self) -> Sequence[Target | Hook]:
        raise NotImplementedError

    def adapter_options(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Resolve adapter-specific options (argument > environment > default)."""
        return {}

    def instrumentation_dependencies(self) -> Collection[str]:
        return self.instruments

    def instrument(self, **kwargs: Any) -> None:
        """Patch the vendor (when its modules are imported); a second call warns and does nothing."""
        if self._is_instrumented_by_opentelemetry:
            _logger.warning("Attempting to instrument while already instrumented")
            return
        skip_dep_check = kwargs.pop("skip_dep_check", False)
        raise_on_conflict = kwargs.pop("raise_exception_on_conflict", False)
        if not skip_dep_check:
            conflict = self._check_dependency_conflicts()
            if conflict is not None:
                if raise_on_conflict:  # opentelemetry-instrument's loader expects its own error type
                    from opentelemetry.instrumentation.dependencies import (
                        DependencyConflict,
                        DependencyConflictError,
                    )

                    raise DependencyConflictError(DependencyConflict(conflict.required, conflict.found))
                _logger.error("%s not instrumented: %s", type(self).__name__, conflict)
                return
        self._instrument(**kwargs)
        self._is_instrumented_by_opentelemetry = True

    def uninstrument(self, **kwargs: Any) -> None:
        """Restore everything patched; a second call warns and does nothing."""
        if not self._is_instrumented_by_opentelemetry:
            _logger.warning("Attempting to uninstrument while already uninstrumented")
            return
        self._uninstrument(**kwargs)
        self._is_instrumented_by_opentelemetry = False

    def _check_dependency_conflicts(self) -> VersionConflict | None:
        """The first of ``instruments`` the installed packages do not meet (package metadata only)."""
        for dependency in self.instrumentation_dependencies():
            conflict = conflict_of(dependency)
            if conflict is not None:
                return conflict
        return None

    def _instrument(self, **kwargs: Any) -> None:
        module = type(self).__module__.split(".")[0]
        engine = Engine(
            provider=self.provider, scope=module, version=_version_of(module),
            options=EngineOptions.resolve(kwargs), adapter_options=self.adapter_options(kwargs),
            tracer_provider=kwargs.get("tracer_provider"), meter_provider=kwargs.get("meter_provider"),
        )
        by_module: dict[str, list[Target | Hook]] = {}
        for target in self.targets():
            by_module.setdefault(target.module, []).append(target)
        with _patch_lock:
            self.engine = engine
            self._patches: list[tuple[Any, str, Any]] = []
            self._import_hooks: list[ImportHook] = []
        engine_ref = weakref.ref(engine)
        for name, targets in by_module.items():
            patch = functools.partial(self._patch_module, engine_ref, targets)
            self._import_hooks.append(when_imported(name, patch))

    def _patch_module(self, engine_ref: weakref.ref[Engine], targets: list[Target | Hook], module: ModuleType) -> None:
        with _patch_lock:
            engine = engine_ref()
            if engine is None or engine is not self.engine:
                return  # uninstrumented (or instrumented anew) since the hook was registered
            for target in targets:
                self._patch(target, module, engine_ref)

    def _patch(self, target: Target | Hook, module: ModuleType, engine_ref: weakref.ref[Engine]) -> None:
        owner: Any = module
        *path, attribute = target.name.split(".")
        for part in path:
            owner = getattr(owner, part, None)
            if owner is None:
                return
        if any(patched is owner and name == attribute for patched, name, _ in self._patches):
            return  # the same class reached through two modules (a package re-exporting it): wrap once
        original = vars(owner).get(attribute, _MISSING) if isinstance(owner, type) else getattr(
            owner, attribute, _MISSING)
        if original is _MISSING and not hasattr(owner, attribute):
            _logger.debug("skipping %s.%s: not present in this version", target.module, target.name)
            return
        if isinstance(target, Hook):
            wrapper = target.factory(lambda: active_engine(engine_ref()))
        else:
            make = make_async_wrapper if target.is_async else make_sync_wrapper
            wrapper = make(engine_ref, target)
        wrapt.wrap_function_wrapper(owner, attribute, wrapper)
        self._patches.append((owner, attribute, original))

    def _uninstrument(self, **kwargs: Any) -> None:
        with _patch_lock:
            for hook in getattr(self, "_import_hooks", []):
                hook.cancel()
            self._import_hooks = []
            for owner, attribute, original in reversed(getattr(self, "_patches", [])):
                if original is _MISSING:
                    delattr(owner, attribute)
                else:
                    setattr(owner, attribute, original)
            self._patches = []
            if self.engine is not None:
                self.engine.active = False
            self.engine = None


def _version_of(package: str) -> str:
    """The adapter package's ``__version__`` (it is imported already: the instrumentor's class lives in it)."""
    loaded = sys.modules.get(package)
    return str(vars(loaded).get("__version__", "0")) if loaded is not None else "0"


def _register_as_base_instrumentor(module: ModuleType) -> None:
    module.BaseInstrumentor.register(GenAIInstrumentor)


# isinstance(adapter, BaseInstrumentor) holds wherever BaseInstrumentor is in use, at no start-up cost.
when_imported(_BASE_INSTRUMENTOR_MODULE, _register_as_base_instrumentor)
