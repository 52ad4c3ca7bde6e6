"""The adapter's public surface, version range and entry point are pinned; instrument() is reversible."""

from __future__ import annotations

import huggingplace_instrumentation_payman as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

WRAPPED = ("payman_sdk.client", "PaymanClient.ask")
VENDOR_MODULES = ("payman_sdk.client",)


def test_public_names() -> None:
    assert adapter.__all__ == ["PaymanInstrumentor"]


def test_supported_versions_and_entry_point() -> None:
    check_adapter_distribution(adapter, adapter.PaymanInstrumentor,
                               distribution="huggingplace-instrumentation-payman", entry_point="payman",
                               instruments=("paymanai-sdk >= 1.0.8, < 2",))


def test_instrument_is_idempotent_and_reversible() -> None:
    check_instrument_idempotent_and_reversible(adapter.PaymanInstrumentor, *WRAPPED)


def test_missing_vendor_module_is_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.PaymanInstrumentor, *WRAPPED, VENDOR_MODULES)
