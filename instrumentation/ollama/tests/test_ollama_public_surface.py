"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_ollama as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "OllamaInstrumentor"]
    assert adapter.OllamaInstrumentor.provider == "ollama"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.OllamaInstrumentor,
                               distribution="huggingplace-instrumentation-ollama", entry_point="ollama",
                               instruments=(adapter.SUPPORTED,))
    assert adapter.SUPPORTED == "ollama >= 0.4, < 1"


def test_instrument_is_idempotent_and_reversible() -> None:
    for name in ("chat", "generate", "embed", "embeddings"):
        check_instrument_idempotent_and_reversible(adapter.OllamaInstrumentor, "ollama._client", f"Client.{name}")
        check_instrument_idempotent_and_reversible(adapter.OllamaInstrumentor, "ollama._client",
                                                   f"AsyncClient.{name}")
        check_instrument_idempotent_and_reversible(adapter.OllamaInstrumentor, "ollama", name)


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.OllamaInstrumentor, "ollama._client", "Client.chat",
                                         ["ollama", "ollama._client"])
