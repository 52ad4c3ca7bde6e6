"""The adapter's public surface, version range and entry point are pinned; instrument() is reversible."""

from __future__ import annotations

import huggingplace_instrumentation_conversimple as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

WRAPPED = ("conversimple.agent", "ConversimpleAgent.stop")
VENDOR_MODULES = ("conversimple.agent", "conversimple.tools", "conversimple.connection",)


def test_public_names() -> None:
    assert adapter.__all__ == ["ConversimpleInstrumentor"]


def test_supported_versions_and_entry_point() -> None:
    check_adapter_distribution(adapter, adapter.ConversimpleInstrumentor,
                               distribution="huggingplace-instrumentation-conversimple", entry_point="conversimple",
                               instruments=("conversimple-sdk >= 0.2.4, < 0.3",))


def test_instrument_is_idempotent_and_reversible() -> None:
    check_instrument_idempotent_and_reversible(adapter.ConversimpleInstrumentor, *WRAPPED)


def test_missing_vendor_module_is_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.ConversimpleInstrumentor, *WRAPPED, VENDOR_MODULES)
