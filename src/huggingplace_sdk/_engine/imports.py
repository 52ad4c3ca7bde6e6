"""Post-import hooks: run a callback once a named module has been imported, at once if it already is.

Lets instrument() patch a vendor SDK without importing it: the patch happens when the app (or the SDK's own
lazy loading) imports the exact module a Target names. Unlike wrapt's hooks these can be removed, so
uninstrument() leaves nothing pending. Our finder sits on ``sys.meta_path`` only while a hook is pending and
costs other imports one dict lookup.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # importlib.abc brings importlib.resources, tempfile and shutil: not on the start-up path
    from importlib.abc import Loader

from .guard import guarded

ModuleCallback = Callable[[ModuleType], None]

_lock = threading.RLock()
_pending: dict[str, list[ImportHook]] = {}


class ImportHook:
    """A registered callback; ``cancel()`` removes it if it has not fired yet."""

    __slots__ = ("callback", "module", "pending")

    def __init__(self, module: str, callback: ModuleCallback) -> None:
        self.module = module
        self.callback = callback
        self.pending = True

    def cancel(self) -> None:
        with _lock:
            if not self.pending:
                return
            self.pending = False
            hooks = _pending.get(self.module, [])
            if self in hooks:
                hooks.remove(self)
            if not hooks:
                _pending.pop(self.module, None)
            if not _pending:
                _FINDER.uninstall()


def when_imported(module: str, callback: ModuleCallback) -> ImportHook:
    """Call ``callback(module)`` once ``module`` has been imported (now, if it already is)."""
    hook = ImportHook(module, callback)
    with _lock:
        loaded = sys.modules.get(module)
        if loaded is None:  # not imported yet (or blocked with sys.modules[name] = None)
            _pending.setdefault(module, []).append(hook)
            _FINDER.install()
            return hook
        hook.pending = False
    callback(loaded)
    return hook


def pending_modules() -> set[str]:
    """Modules some hook is still waiting for (for tests and diagnostics)."""
    with _lock:
        return set(_pending)


def _fire(name: str, module: ModuleType) -> None:
    with _lock:
        hooks = _pending.pop(name, [])
        for hook in hooks:
            hook.pending = False
        if not _pending:
            _FINDER.uninstall()
    for hook in hooks:
        guarded(f"import_hook:{name}", hook.callback, module)


class _NotifyingLoader:
    """Wraps the real loader for one import: runs the module, hands the module its real loader back, fires."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module and its spec keep the real loader (importlib.resources, reload, pkgutil read it).
        spec = module.__spec__
        if spec is not None and cast(object, spec.loader) is self:
            spec.loader = self._loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self._loader
        self._loader.exec_module(module)
        name = spec.name if spec is not None else module.__name__
        _fire(name, sys.modules.get(name, module))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _PostImportFinder:
    """Finds nothing itself: for a watched module it asks the other finders, then wraps the loader."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in _pending:
            return None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec: ModuleSpec | None = find(fullname, path, target)
            if spec is None:
                continue
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = cast("Loader", _NotifyingLoader(spec.loader))  # a Loader by duck typing
            return spec
        return None

    def install(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


_FINDER = _PostImportFinder()


def is_post_import_finder(finder: object) -> bool:
    """Whether ``finder`` is ours (it finds nothing itself; it wraps what the other finders find)."""
    return finder is _FINDER
