"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_anthropic as adapter


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "AnthropicInstrumentor"]
    assert (Path(adapter.__file__).parent / "py.typed").exists()
    assert adapter.AnthropicInstrumentor.provider == "anthropic"


def test_supported_versions_and_entry_point() -> None:
    assert tuple(adapter.AnthropicInstrumentor().instrumentation_dependencies()) == ("anthropic >= 0.40, < 3",)
    (entry,) = [e for e in metadata.entry_points(group="opentelemetry_instrumentor") if e.name == "anthropic"]
    assert entry.load() is adapter.AnthropicInstrumentor
    requires = metadata.requires("huggingplace-instrumentation-anthropic") or []
    [requirement] = [r for r in requires if r.startswith("anthropic")]
    assert ">=0.40" in requirement.replace(" ", "") and "<3" in requirement.replace(" ", "")
