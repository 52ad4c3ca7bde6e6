"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

import importlib
import sys
from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_conversimple as adapter
import pytest


def test_public_names() -> None:
    assert adapter.__all__ == ["ConversimpleInstrumentor"]
    assert (Path(adapter.__file__).parent / "py.typed").exists()


def test_supported_versions_and_entry_point() -> None:
    dependencies = tuple(adapter.ConversimpleInstrumentor().instrumentation_dependencies())
    assert dependencies == ("conversimple-sdk >= 0.2.4, < 0.3",)
    (entry,) = [e for e in metadata.entry_points(group="opentelemetry_instrumentor") if e.name == "conversimple"]
    assert entry.load() is adapter.ConversimpleInstrumentor
    requires = metadata.requires("huggingplace-instrumentation-conversimple") or []
    requirement = [r for r in requires if "conversimple-sdk" in r]
    assert requirement and "<0.3" in requirement[0].replace(" ", "")


def test_instrument_is_idempotent_and_reversible() -> None:
    owner = importlib.import_module("conversimple.agent").ConversimpleAgent
    original = vars(owner)["stop"]
    instrumentor = adapter.ConversimpleInstrumentor()
    instrumentor.instrument()
    wrapped = vars(owner)["stop"]
    instrumentor.instrument()  # a second call changes nothing
    assert vars(owner)["stop"] is wrapped is not original
    instrumentor.uninstrument()
    instrumentor.uninstrument()
    assert vars(owner)["stop"] is original


def test_missing_vendor_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = importlib.import_module("conversimple.agent").ConversimpleAgent
    original = vars(owner)["stop"]
    for name in ['conversimple.agent', 'conversimple.tools', 'conversimple.connection']:
        monkeypatch.setitem(sys.modules, name, None)  # importing it now raises ImportError
    instrumentor = adapter.ConversimpleInstrumentor()
    instrumentor.instrument()  # no ImportError
    assert vars(owner)["stop"] is original
    instrumentor.uninstrument()
