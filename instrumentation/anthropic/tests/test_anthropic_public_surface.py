"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_anthropic as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "AnthropicInstrumentor"]
    assert adapter.AnthropicInstrumentor.provider == "anthropic"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.AnthropicInstrumentor,
                               distribution="huggingplace-instrumentation-anthropic", entry_point="anthropic",
                               instruments=("anthropic >= 0.40, < 3",))


def test_instrument_is_idempotent_and_reversible() -> None:
    check_instrument_idempotent_and_reversible(adapter.AnthropicInstrumentor, "anthropic.resources",
                                               "Messages.create")
    check_instrument_idempotent_and_reversible(adapter.AnthropicInstrumentor, "anthropic.lib.streaming",
                                               "AsyncMessageStreamManager.__aenter__")


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(
        adapter.AnthropicInstrumentor, "anthropic.resources", "Messages.create",
        ["anthropic.resources.messages.messages", "anthropic.resources.messages"])
