"""Adapters armed by instrument() load when their vendor is imported: waiting, active, skipped, stopped.

A fake vendor and a fake adapter package are written to a temporary directory, so what is imported when is
observable in ``sys.modules``; the adapter is a real GenAIInstrumentor driven through instrument()'s own code.
"""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider

from huggingplace_sdk import _instrument
from huggingplace_sdk._engine.activation import AdapterActivation, lazy_exports, vendor_installed

_serial = itertools.count()

_INSTRUMENTOR = '''
from typing import Any
from huggingplace_sdk.engine import GenAIInstrumentor, Hook

def _pass_through(engine: Any) -> Any:
    def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        return wrapped(*args, **kwargs)
    return wrapper

class FakeInstrumentor(GenAIInstrumentor):
    provider = "fake"
    instruments = ({instruments!r},)

    def targets(self) -> list[Hook]:
        return [Hook("{vendor}.client", "Client.call", _pass_through)]
'''


class Fake:
    """One fake vendor ``<vendor>`` (with ``<vendor>.client``) and its adapter package ``<adapter>``."""

    def __init__(self, root: Path, instruments: str, declare: bool = True) -> None:
        number = next(_serial)
        self.vendor, self.adapter = f"fake_vendor_{number}", f"fake_adapter_{number}"
        (root / self.vendor).mkdir()
        (root / self.vendor / "__init__.py").write_text("from . import client\n")
        (root / self.vendor / "client.py").write_text("class Client:\n    def call(self):\n        return 'answer'\n")
        (root / self.adapter).mkdir()
        declaration = f"_vendor_modules = ({self.vendor!r},)\n" if declare else ""
        (root / self.adapter / "__init__.py").write_text(
            "from huggingplace_sdk._engine.activation import lazy_exports\n" + declaration
            + "__getattr__ = lazy_exports(__name__, FakeInstrumentor='._instrumentor')\n")
        (root / self.adapter / "_instrumentor.py").write_text(
            textwrap.dedent(_INSTRUMENTOR).format(instruments=instruments, vendor=self.vendor))
        self.entry_point = EntryPoint(name=self.adapter, value=f"{self.adapter}:FakeInstrumentor",
                                      group="opentelemetry_instrumentor")

    def arm(self) -> AdapterActivation | None:
        return _instrument._activate(self.adapter, self.entry_point, TracerProvider(), None, {}, {})

    def adapter_loaded(self) -> bool:
        return f"{self.adapter}._instrumentor" in sys.modules

    def call_is_wrapped(self) -> bool:
        client = sys.modules[f"{self.vendor}.client"]
        return type(vars(client.Client)["call"]).__name__ == "FunctionWrapper"


@pytest.fixture()
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith(("fake_vendor_", "fake_adapter_", "fake_namespace")):
            del sys.modules[name]


def test_an_adapter_waits_for_its_vendor_and_loads_nothing_until_it_is_imported(root: Path) -> None:
    fake = Fake(root, "huggingplace-sdk >= 0")
    activation = fake.arm()
    assert activation is not None and activation.state == "waiting" and activation.instrumentor is None
    assert not fake.adapter_loaded() and fake.vendor not in sys.modules
    __import__(fake.vendor)
    assert activation.state == "active" and fake.adapter_loaded() and fake.call_is_wrapped()
    assert type(activation.instrumentor).__name__ == "FakeInstrumentor"
    activation.uninstrument()
    assert activation.state == "stopped" and not fake.call_is_wrapped()


def test_a_vendor_imported_before_is_patched_at_once(root: Path) -> None:
    fake = Fake(root, "huggingplace-sdk >= 0")
    __import__(fake.vendor)
    activation = fake.arm()
    assert activation is not None and activation.state == "active" and fake.call_is_wrapped()
    activation.uninstrument()


def test_a_vendor_out_of_range_is_skipped_with_the_reason_when_imported(
        root: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = Fake(root, "huggingplace-sdk < 0")
    activation = fake.arm()
    assert activation is not None and activation.state == "waiting"
    __import__(fake.vendor)
    assert activation.state == "skipped" and "huggingplace-sdk < 0" in activation.reason
    assert not fake.call_is_wrapped()
    assert f"adapter {fake.adapter} skipped" in caplog.text


def test_a_vendor_that_is_not_installed_is_not_armed(root: Path) -> None:
    fake = Fake(root, "huggingplace-sdk >= 0")
    (root / fake.vendor / "__init__.py").unlink()
    (root / fake.vendor / "client.py").unlink()
    (root / fake.vendor).rmdir()
    assert fake.arm() is None
    assert not fake.adapter_loaded()


def test_uninstrument_before_the_import_leaves_the_vendor_alone(root: Path) -> None:
    fake = Fake(root, "huggingplace-sdk >= 0")
    activation = fake.arm()
    assert activation is not None
    activation.uninstrument()
    __import__(fake.vendor)
    assert activation.state == "stopped" and not fake.adapter_loaded() and not fake.call_is_wrapped()


def test_an_adapter_declaring_no_vendor_modules_is_loaded_at_once(root: Path) -> None:
    fake = Fake(root, "huggingplace-sdk >= 0", declare=False)
    activation = fake.arm()
    assert activation is not None and activation.state == "active" and fake.adapter_loaded()
    activation.uninstrument()


def test_instrument_arms_every_adapter_and_reports_their_states(root: Path) -> None:
    import huggingplace_sdk

    handle = huggingplace_sdk.instrument(["openai", "anthropic"], tracer_provider=TracerProvider())
    try:
        import openai  # noqa: F401  (already imported by other tests or now: active either way)

        assert handle.adapters["openai"].state == "active"
        assert handle.adapters["openai"].instrumentor is not None
        expected = "active" if "anthropic" in sys.modules else "waiting"
        assert handle.adapters["anthropic"].state == expected
    finally:
        handle.uninstrument()
    assert {a.state for a in handle.adapters.values()} == {"stopped"}


def test_the_installed_check_imports_no_parent_package(root: Path) -> None:
    (root / "fake_namespace" / "inner").mkdir(parents=True)  # fake_namespace: a namespace package
    (root / "fake_namespace" / "inner" / "__init__.py").write_text("")
    assert vendor_installed(["fake_namespace.inner"])
    assert not vendor_installed(["fake_namespace.missing"]) and not vendor_installed(["fake_absent.inner"])
    assert "fake_namespace" not in sys.modules


def test_a_blocked_vendor_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fake_blocked", None)  # type: ignore[arg-type]
    assert not vendor_installed(["fake_blocked"])


def test_lazy_exports_load_on_first_access_and_refuse_other_names() -> None:
    module: Any = type(sys)("fake_lazy_exports")
    sys.modules["fake_lazy_exports"] = module
    try:
        get = lazy_exports("fake_lazy_exports", dumps="json")
        assert get("dumps") is sys.modules["json"].dumps
        assert vars(module)["dumps"] is sys.modules["json"].dumps  # cached: no second lookup
        with pytest.raises(AttributeError, match="no attribute 'loads'"):
            get("loads")
    finally:
        del sys.modules["fake_lazy_exports"]
