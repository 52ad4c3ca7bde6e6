"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_payman as adapter


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
