"""GenAIInstrumentor: the base of every adapter; wraps its Targets and restores them exactly.

Nothing is imported to instrument: each Target's module is patched when it is imported (at once if it
already is), so instrument() costs the same whether or not the app ever uses the vendor.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
import weakref
from collections.abc import Collection, Mapping, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any, ClassVar

import wrapt
from opentelemetry.instrumentation.dependencies import DependencyConflict
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from packaging.requirements import InvalidRequirement, Requirement

from .engine import Engine
from .imports import ImportHook, when_imported
from .options import EngineOptions
from .spec import Hook, Target
from .wrapper import active_engine, make_async_wrapper, make_sync_wrapper

_logger = logging.getLogger("huggingplace_sdk.engine")
_MISSING = object()
# Import hooks fire on whichever thread imports the vendor; patching and restoring never interleave.
_patch_lock = threading.RLock()
_VERSION_HEADER = re.compile(r"^Version:[ \t]*(\S+)", re.MULTILINE)


class GenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Subclasses set ``provider`` and ``instruments`` and return their Targets from ``targets()``.

    ``instrument(**kwargs)`` accepts the engine options (``tracer_provider``, ``meter_provider``,
    ``capture_content``, ``redact``, ``max_content_bytes``, ``emit_legacy_system``) and the adapter's own
    options, read by ``adapter_options``.
    """

    provider: ClassVar[str] = ""
    instruments: ClassVar[tuple[str, ...]] = ()
    engine: Engine | None = None

    def targets(self) -> Sequence[Target | Hook]:
        raise NotImplementedError

    def adapter_options(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Resolve adapter-specific options (argument > environment > default)."""
        return {}

    def instrumentation_dependencies(self) -> Collection[str]:
        return self.instruments

    def _check_dependency_conflicts(self) -> DependencyConflict | None:
        """BaseInstrumentor's check of ``instruments``, from package metadata as there, but reading only the
        ``Version:`` header: its ``version()`` parses the whole METADATA file (a vendor's long README too),
        which was the largest part of instrument() once no vendor is imported."""
        for dependency in self.instrumentation_dependencies():
            try:
                requirement = Requirement(dependency)
            except InvalidRequirement:
                _logger.warning("invalid instruments requirement %r: reported as a conflict", dependency)
                return DependencyConflict(dependency)
            found = installed_version(requirement.name)
            if found is None:
                return DependencyConflict(dependency)
            if not requirement.specifier.contains(found):
                return DependencyConflict(dependency, f"{requirement.name} {found}")
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


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` from its metadata headers (importing nothing), or None."""
    try:
        found = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    header = _VERSION_HEADER.search(text.split("\n\n", 1)[0])  # headers end at the first blank line
    return header.group(1) if header is not None else found.version


def _version_of(package: str) -> str:
    """The adapter package's ``__version__`` (it is imported already: the instrumentor's class lives in it)."""
    loaded = sys.modules.get(package)
    return str(vars(loaded).get("__version__", "0")) if loaded is not None else "0"
