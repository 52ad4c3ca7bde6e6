"""Fixtures: the shared in-memory span capture."""

from __future__ import annotations

from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: F401  (shared fixture)
