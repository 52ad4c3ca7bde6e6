"""Lazy patching: a Target's module is patched when it is imported, never imported by instrument().

Each test writes its own small vendor package to disk under a fresh name, so that whether and when it is
imported is entirely the test's doing. Like openai, the package loads its resources lazily (module
``__getattr__``); like anthropic, ``resources`` re-exports the class defined in ``resources.chat``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import itertools
import sys
import textwrap
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.guard import internal_error_counts, tolerate_internal_errors
from huggingplace_sdk._engine.imports import pending_modules, when_imported
from huggingplace_sdk._engine.versions import installed_version
from huggingplace_sdk.engine import Call, GenAIInstrumentor, Recorder, Request, Target
from huggingplace_sdk.testing import SpanCapture

_names = itertools.count()

_PACKAGE_INIT = '''
import importlib

def __getattr__(name):  # resources load on first use, as in openai
    if name == "resources":
        return importlib.import_module(__name__ + ".resources")
    raise AttributeError(name)
'''
_RESOURCES_INIT = "from .chat import Chat, Reply\n"
_CHAT = '''
class Reply:
    def __init__(self, id, model):
        self.id, self.model = id, model

class Chat:
    def create(self, *, model):
        return Reply("reply-1", model + "-2024")
'''


class ChatCodec:
    def read_request(self, call: Call) -> Request:
        return Request(operation=sc.OP_CHAT, provider="lazyvendor", model=call.kwargs.get("model"))

    def read_response(self, result: Any, recorder: Recorder) -> None:
        recorder.set_response(id=result.id, model=result.model)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        raise AssertionError("no streams here")

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


@pytest.fixture
def vendor(tmp_path: Path) -> Iterator[str]:
    """A fresh vendor package on sys.path, by name; removed from sys.modules afterwards."""
    name = f"lazyvendor_{next(_names)}"
    package = tmp_path / name
    (package / "resources").mkdir(parents=True)
    (package / "__init__.py").write_text(_PACKAGE_INIT)
    (package / "resources" / "__init__.py").write_text(_RESOURCES_INIT)
    (package / "resources" / "chat.py").write_text(textwrap.dedent(_CHAT))
    (package / "resources" / "data.txt").write_text("packaged data")
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def instrumentor_for(vendor: str) -> GenAIInstrumentor:
    """An adapter naming both homes of ``Chat`` (the defining module and the package re-exporting it)."""

    class LazyInstrumentor(GenAIInstrumentor):  # type: ignore[misc]
        provider = "lazyvendor"

        def targets(self) -> list[Target]:
            codec = ChatCodec()
            return [Target(f"{vendor}.resources.chat", "Chat.create", codec),
                    Target(f"{vendor}.resources", "Chat.create", codec)]

    return LazyInstrumentor()


def loaded(vendor: str) -> list[str]:
    return sorted(m for m in sys.modules if m == vendor or m.startswith(vendor + "."))


def test_instrument_imports_nothing_and_a_vendor_imported_later_is_traced_from_its_first_call(
        vendor: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(instrumentor_for(vendor))
    assert loaded(vendor) == []
    assert {f"{vendor}.resources", f"{vendor}.resources.chat"} <= pending_modules()

    package = importlib.import_module(vendor)
    assert loaded(vendor) == [vendor]  # the vendor's own lazy loading has not reached the target yet
    reply = package.resources.Chat().create(model="m-1")
    assert type(vars(package.resources.Chat)["create"].__wrapped__) is types.FunctionType  # wrapped once

    assert type(reply).__name__ == "Reply"
    span = span_capture.only_span("chat m-1")  # one span: the class reached through two modules is wrapped once
    assert span.attributes is not None
    assert span.attributes[sc.GEN_AI_RESPONSE_ID] == "reply-1"
    assert span.attributes[sc.GEN_AI_RESPONSE_MODEL] == "m-1-2024"
    assert not {f"{vendor}.resources", f"{vendor}.resources.chat"} & pending_modules()


def test_a_vendor_imported_before_instrument_is_patched_at_once_even_a_class_captured_by_name(
        vendor: str, span_capture: SpanCapture) -> None:
    chat_module = importlib.import_module(f"{vendor}.resources.chat")
    captured = chat_module.Chat  # like `from vendor.resources.chat import Chat` in the app, before instrument()
    original = vars(captured)["create"]

    span_capture.instrument(instrumentor_for(vendor))
    assert vars(captured)["create"] is not original
    assert not {f"{vendor}.resources", f"{vendor}.resources.chat"} & pending_modules()
    captured().create(model="m-1")

    assert span_capture.only_span().name == "chat m-1"


def test_uninstrument_removes_unfired_hooks_and_restores_identity_and_instrument_again_works(
        vendor: str, span_capture: SpanCapture) -> None:
    instrumentor = instrumentor_for(vendor)
    span_capture.instrument(instrumentor)
    instrumentor.uninstrument()
    assert not any(m.startswith(vendor) for m in pending_modules())

    chat_module = importlib.import_module(f"{vendor}.resources.chat")  # after uninstrument: left alone
    original = vars(chat_module.Chat)["create"]
    chat_module.Chat().create(model="m-1")
    assert span_capture.spans() == []

    instrumentor.instrument(tracer_provider=span_capture.tracer_provider)  # already imported: at once
    assert vars(chat_module.Chat)["create"] is not original
    chat_module.Chat().create(model="m-2")
    assert [s.name for s in span_capture.spans()] == ["chat m-2"]

    instrumentor.uninstrument()
    assert vars(chat_module.Chat)["create"] is original


def test_the_import_hook_finder_leaves_sys_meta_path_when_nothing_is_pending(
        vendor: str, span_capture: SpanCapture) -> None:
    finders_before = list(sys.meta_path)
    instrumentor = instrumentor_for(vendor)
    span_capture.instrument(instrumentor)
    assert [f for f in sys.meta_path if f not in finders_before] in ([], [sys.meta_path[0]])
    assert type(sys.meta_path[0]).__name__ == "_PostImportFinder"
    instrumentor.uninstrument()
    assert sys.meta_path == finders_before


def test_a_hooked_module_keeps_its_real_loader(vendor: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(instrumentor_for(vendor))
    resources = importlib.import_module(f"{vendor}.resources")

    assert type(resources.__loader__).__name__ == "SourceFileLoader"
    assert resources.__spec__ is not None and resources.__spec__.loader is resources.__loader__
    assert importlib.resources.files(resources).joinpath("data.txt").read_text() == "packaged data"
    assert importlib.reload(resources) is resources


def test_when_imported_fires_once_per_import_and_a_failing_hook_never_breaks_the_import(vendor: str) -> None:
    fired: list[str] = []
    when_imported(f"{vendor}.resources.chat", lambda module: fired.append(module.__name__))

    def broken(module: Any) -> None:
        raise RuntimeError("bug in our patching")

    when_imported(f"{vendor}.resources", broken)
    with tolerate_internal_errors():
        resources = importlib.import_module(f"{vendor}.resources")  # the app's import still succeeds

    assert resources.Chat().create(model="m").model == "m-2024"
    assert fired == [f"{vendor}.resources.chat"]
    assert internal_error_counts()[f"import_hook:{vendor}.resources"] >= 1
    assert not any(m.startswith(vendor) for m in pending_modules())


def test_a_failing_hook_fails_the_import_under_pytest(vendor: str) -> None:
    def broken(module: Any) -> None:
        raise RuntimeError("bug in our patching")

    when_imported(vendor, broken)
    with pytest.raises(Exception, match="bug in our patching"):
        importlib.import_module(vendor)


def test_an_import_on_another_thread_is_patched_exactly_once(vendor: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(instrumentor_for(vendor))
    threads = [threading.Thread(target=importlib.import_module, args=(f"{vendor}.resources",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sys.modules[f"{vendor}.resources"].Chat().create(model="m-1")
    assert [s.name for s in span_capture.spans()] == ["chat m-1"]


@pytest.mark.parametrize("distribution", ["openai", "anthropic", "mistralai", "tbuddy", "paymanai-sdk",
                                          "conversimple-sdk", "opentelemetry-sdk"])
def test_installed_versions_are_read_from_metadata_as_importlib_reads_them(distribution: str) -> None:
    assert installed_version(distribution) == importlib.metadata.version(distribution)


def test_a_distribution_that_is_not_installed_has_no_version() -> None:
    assert installed_version("no-such-distribution-hp") is None


@pytest.mark.parametrize(("instruments", "expected"), [
    (("openai >= 1",), None),
    (("openai < 1",), "openai {installed}"),
    (("no-such-distribution-hp >= 1",), ""),
])
def test_instruments_ranges_decide_activation_without_importing_anything(
        vendor: str, span_capture: SpanCapture, instruments: tuple[str, ...], expected: str | None) -> None:
    instrumentor = instrumentor_for(vendor)
    type(instrumentor).instruments = instruments
    conflict = instrumentor._check_dependency_conflicts()
    if expected is None:
        assert conflict is None
    else:
        assert conflict is not None and conflict.required == instruments[0]
        assert (conflict.found or "") == expected.format(installed=importlib.metadata.version("openai"))

    span_capture.instrument(instrumentor)
    assert instrumentor.is_instrumented_by_opentelemetry is (expected is None)
    assert loaded(vendor) == []
    importlib.import_module(f"{vendor}.resources").Chat().create(model="m-1")
    assert len(span_capture.spans()) == (1 if expected is None else 0)


def test_our_hooks_and_wrapts_post_import_hooks_on_one_module_each_fire_once(vendor: str) -> None:
    import wrapt

    fired: list[str] = []
    when_imported(f"{vendor}.resources.chat", lambda module: fired.append("ours"))
    wrapt.register_post_import_hook(lambda module: fired.append("wrapt"), f"{vendor}.resources.chat")
    chat = importlib.import_module(f"{vendor}.resources.chat")

    assert sorted(fired) == ["ours", "wrapt"]
    assert type(chat.__loader__).__name__ == "SourceFileLoader"
