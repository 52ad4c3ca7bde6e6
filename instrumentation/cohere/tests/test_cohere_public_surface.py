"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_cohere as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "CohereInstrumentor"]
    assert adapter.CohereInstrumentor.provider == "cohere"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.CohereInstrumentor,
                               distribution="huggingplace-instrumentation-cohere", entry_point="cohere",
                               instruments=(adapter.SUPPORTED,))
    assert adapter.SUPPORTED == "cohere >= 5.16, < 8"


def test_instrument_is_idempotent_and_reversible() -> None:
    for module, names in (
        ("cohere.base_client", ("BaseCohere.chat", "BaseCohere.chat_stream", "BaseCohere.generate",
                                "BaseCohere.rerank", "AsyncBaseCohere.chat", "AsyncBaseCohere.chat_stream")),
        ("cohere.v2.client", ("V2Client.chat", "V2Client.chat_stream", "V2Client.embed", "V2Client.rerank",
                              "AsyncV2Client.chat", "AsyncV2Client.chat_stream")),
        ("cohere.client", ("Client.embed", "AsyncClient.embed")),
    ):
        for name in names:
            check_instrument_idempotent_and_reversible(adapter.CohereInstrumentor, module, name)


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.CohereInstrumentor, "cohere.base_client", "BaseCohere.chat",
                                         ["cohere.base_client", "cohere.v2.client", "cohere.client"])
