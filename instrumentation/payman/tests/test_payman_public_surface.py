"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

import importlib
import sys
from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_payman as adapter
import pytest


def test_public_names() -> None:
    assert adapter.__all__ == ["PaymanInstrumentor"]
    assert (Path(adapter.__file__).parent / "py.typed").exists()


def test_supported_versions_and_entry_point() -> None:
    dependencies = tuple(adapter.PaymanInstrumentor().instrumentation_dependencies())
    assert dependencies == ("paymanai-sdk >= 1.0.8, < 2",)
    (entry,) = [e for e in metadata.entry_points(group="opentelemetry_instrumentor") if e.name == "payman"]
    assert entry.load() is adapter.PaymanInstrumentor
    requires = metadata.requires("huggingplace-instrumentation-payman") or []
    requirement = [r for r in requires if "paymanai-sdk" in r]
    assert requirement and "<2" in requirement[0].replace(" ", "")


def test_instrument_is_idempotent_and_reversible() -> None:
    owner = importlib.import_module("payman_sdk.client").PaymanClient
    original = vars(owner)["ask"]
    instrumentor = adapter.PaymanInstrumentor()
    instrumentor.instrument()
    wrapped = vars(owner)["ask"]
    instrumentor.instrument()  # a second call changes nothing
    assert vars(owner)["ask"] is wrapped is not original
    instrumentor.uninstrument()
    instrumentor.uninstrument()
    assert vars(owner)["ask"] is original


def test_missing_vendor_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = importlib.import_module("payman_sdk.client").PaymanClient
    original = vars(owner)["ask"]
    for name in ['payman_sdk.client']:
        monkeypatch.setitem(sys.modules, name, None)  # importing it now raises ImportError
    instrumentor = adapter.PaymanInstrumentor()
    instrumentor.instrument()  # no ImportError
    assert vars(owner)["ask"] is original
    instrumentor.uninstrument()
