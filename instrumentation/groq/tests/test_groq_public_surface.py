"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_groq as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

_CHAT = "groq.resources.chat.completions"


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "GroqInstrumentor"]
    assert adapter.GroqInstrumentor.provider == "groq"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.GroqInstrumentor, distribution="huggingplace-instrumentation-groq",
                               entry_point="groq", instruments=(adapter.SUPPORTED,))
    assert adapter.SUPPORTED == "groq >= 0.13, < 2"


def test_instrument_is_idempotent_and_reversible() -> None:
    for name in ("Completions.create", "AsyncCompletions.create"):
        check_instrument_idempotent_and_reversible(adapter.GroqInstrumentor, _CHAT, name)


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.GroqInstrumentor, _CHAT, "Completions.create", [_CHAT])
