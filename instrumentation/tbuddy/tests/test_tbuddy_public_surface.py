"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

import importlib
import sys
from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_tbuddy as adapter
import pytest


def test_public_names() -> None:
    assert adapter.__all__ == ["TBuddyInstrumentor"]
    assert (Path(adapter.__file__).parent / "py.typed").exists()


def test_supported_versions_and_entry_point() -> None:
    dependencies = tuple(adapter.TBuddyInstrumentor().instrumentation_dependencies())
    assert dependencies == ("tbuddy >= 2.0, < 3",)
    (entry,) = [e for e in metadata.entry_points(group="opentelemetry_instrumentor") if e.name == "tbuddy"]
    assert entry.load() is adapter.TBuddyInstrumentor
    requires = metadata.requires("huggingplace-instrumentation-tbuddy") or []
    requirement = [r for r in requires if "tbuddy" in r]
    assert requirement and "<3" in requirement[0].replace(" ", "")


def test_instrument_is_idempotent_and_reversible() -> None:
    owner = importlib.import_module("TBuddy_SDK.client").TBuddyClient
    original = vars(owner)["submit_query"]
    instrumentor = adapter.TBuddyInstrumentor()
    instrumentor.instrument()
    wrapped = vars(owner)["submit_query"]
    instrumentor.instrument()  # a second call changes nothing
    assert vars(owner)["submit_query"] is wrapped is not original
    instrumentor.uninstrument()
    instrumentor.uninstrument()
    assert vars(owner)["submit_query"] is original


def test_missing_vendor_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = importlib.import_module("TBuddy_SDK.client").TBuddyClient
    original = vars(owner)["submit_query"]
    for name in ['TBuddy_SDK.client', 'TBuddy_SDK.retry', 'TBuddy_SDK.rest_client', 'TBuddy_SDK.websocket_client']:
        monkeypatch.setitem(sys.modules, name, None)  # importing it now raises ImportError
    instrumentor = adapter.TBuddyInstrumentor()
    instrumentor.instrument()  # no ImportError
    assert vars(owner)["submit_query"] is original
    instrumentor.uninstrument()
