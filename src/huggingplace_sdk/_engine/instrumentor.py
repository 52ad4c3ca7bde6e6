"""GenAIInstrumentor: the base of every adapter; wraps its Targets and restores them exactly."""

from __future__ import annotations

import importlib
import logging
import weakref
from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar

import wrapt
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from .engine import Engine
from .options import EngineOptions
from .spec import Hook, Target
from .wrapper import active_engine, make_async_wrapper, make_sync_wrapper

_logger = logging.getLogger("huggingplace_sdk.engine")
_MISSING = object()


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

    def _instrument(self, **kwargs: Any) -> None:
        module = type(self).__module__.split(".")[0]
        self.engine = Engine(
            provider=self.provider, scope=module, version=_version_of(module),
            options=EngineOptions.resolve(kwargs), adapter_options=self.adapter_options(kwargs),
            tracer_provider=kwargs.get("tracer_provider"), meter_provider=kwargs.get("meter_provider"),
        )
        self._patches: list[tuple[Any, str, Any]] = []
        engine_ref = weakref.ref(self.engine)
        for target in self.targets():
            self._patch(target, engine_ref)

    def _patch(self, target: Target | Hook, engine_ref: weakref.ref[Engine]) -> None:
        try:
            owner: Any = importlib.import_module(target.module)
        except ImportError:
            return
        *path, attribute = target.name.split(".")
        for part in path:
            owner = getattr(owner, part, None)
            if owner is None:
                return
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
        for owner, attribute, original in reversed(getattr(self, "_patches", [])):
            if original is _MISSING:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)
        self._patches = []
        if self.engine is not None:
            self.engine.active = False
        self.engine = None


def _version_of(module: str) -> str:
    try:
        return str(importlib.import_module(module).__dict__.get("__version__", "0"))
    except ImportError:
        return "0"
