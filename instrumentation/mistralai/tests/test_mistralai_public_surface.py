"""The adapter's public surface, version range and entry point are pinned."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import huggingplace_instrumentation_mistralai as adapter


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "MistralAIInstrumentor"]
    assert (Path(adapter.__file__).parent / "py.typed").exists()
    assert adapter.MistralAIInstrumentor.provider == "mistral_ai"


def test_supported_versions_and_entry_point() -> None:
    assert tuple(adapter.MistralAIInstrumentor().instrumentation_dependencies()) == ("mistralai >= 2.10, < 4",)
    (entry,) = [e for e in metadata.entry_points(group="opentelemetry_instrumentor") if e.name == "mistralai"]
    assert entry.load() is adapter.MistralAIInstrumentor
    requires = metadata.requires("huggingplace-instrumentation-mistralai") or []
    [requirement] = [r for r in requires if r.startswith("mistralai")]
    assert ">=2.10" in requirement.replace(" ", "") and "<4" in requirement.replace(" ", "")
