"""Fixtures: the shared span capture of huggingplace_sdk.testing."""

from __future__ import annotations

from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: F401  (shared fixture)
