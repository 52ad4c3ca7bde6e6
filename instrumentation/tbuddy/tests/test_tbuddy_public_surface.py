"""The adapter's public surface, version range and entry point are pinned; instrument() is reversible."""

from __future__ import annotations

import huggingplace_instrumentation_tbuddy as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

WRAPPED = ("TBuddy_SDK.client", "TBuddyClient.submit_query")
VENDOR_MODULES = ("TBuddy_SDK.client", "TBuddy_SDK.retry", "TBuddy_SDK.rest_client", "TBuddy_SDK.websocket_client",)


def test_public_names() -> None:
    assert adapter.__all__ == ["TBuddyInstrumentor"]


def test_supported_versions_and_entry_point() -> None:
    check_adapter_distribution(adapter, adapter.TBuddyInstrumentor,
                               distribution="huggingplace-instrumentation-tbuddy", entry_point="tbuddy",
                               instruments=("tbuddy >= 2.0, < 3",))


def test_instrument_is_idempotent_and_reversible() -> None:
    check_instrument_idempotent_and_reversible(adapter.TBuddyInstrumentor, *WRAPPED)


def test_missing_vendor_module_is_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.TBuddyInstrumentor, *WRAPPED, VENDOR_MODULES)
