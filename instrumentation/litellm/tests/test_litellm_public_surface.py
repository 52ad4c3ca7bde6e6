"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_litellm as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

STREAMS = "litellm.litellm_core_utils.streaming_handler"


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "LiteLLMInstrumentor"]
    assert adapter.LiteLLMInstrumentor.provider == "litellm"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.LiteLLMInstrumentor,
                               distribution="huggingplace-instrumentation-litellm", entry_point="litellm",
                               instruments=(adapter.SUPPORTED,))


def test_instrument_is_idempotent_and_reversible() -> None:
    for name in ("completion", "acompletion", "embedding", "aembedding", "responses", "aresponses"):
        check_instrument_idempotent_and_reversible(adapter.LiteLLMInstrumentor, "litellm", name)
    for name in ("CustomStreamWrapper.__next__", "CustomStreamWrapper.__anext__"):
        check_instrument_idempotent_and_reversible(adapter.LiteLLMInstrumentor, STREAMS, name)


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.LiteLLMInstrumentor, "litellm", "completion",
                                         ["litellm", STREAMS, "litellm.responses.streaming_iterator"])
