"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_tbuddy as adapter


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
