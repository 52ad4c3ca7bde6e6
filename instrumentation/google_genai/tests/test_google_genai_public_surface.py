"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

import huggingplace_instrumentation_google_genai as adapter

from huggingplace_sdk.testing import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "GoogleGenAIInstrumentor"]
    assert adapter.GoogleGenAIInstrumentor.provider == "gcp.gemini"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.GoogleGenAIInstrumentor,
                               distribution="huggingplace-instrumentation-google-genai", entry_point="google_genai",
                               instruments=("google-genai >= 1.29, < 4",))


def test_instrument_is_idempotent_and_reversible() -> None:
    for name in ("Models._generate_content", "Models.generate_content_stream", "Models.embed_content",
                 "AsyncModels._generate_content", "AsyncModels.generate_content_stream", "AsyncModels.embed_content"):
        check_instrument_idempotent_and_reversible(adapter.GoogleGenAIInstrumentor, "google.genai.models", name)


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.GoogleGenAIInstrumentor, "google.genai.models",
                                         "Models._generate_content", ["google.genai.models"])
