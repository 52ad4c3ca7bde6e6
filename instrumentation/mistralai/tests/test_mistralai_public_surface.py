"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_mistralai as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "MistralAIInstrumentor"]
    assert adapter.MistralAIInstrumentor.provider == "mistral_ai"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.MistralAIInstrumentor,
                               distribution="huggingplace-instrumentation-mistralai", entry_point="mistralai",
                               instruments=("mistralai >= 2.10, < 4",))


def test_instrument_is_idempotent_and_reversible() -> None:
    for name in ("Chat.complete", "Chat.stream_async"):
        check_instrument_idempotent_and_reversible(adapter.MistralAIInstrumentor, "mistralai.client.chat", name)
    check_instrument_idempotent_and_reversible(adapter.MistralAIInstrumentor, "mistralai.client.embeddings",
                                               "Embeddings.create")


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.MistralAIInstrumentor, "mistralai.client.chat", "Chat.complete",
                                         ["mistralai.client.chat", "mistralai.client.embeddings"])
