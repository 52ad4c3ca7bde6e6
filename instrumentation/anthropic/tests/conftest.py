"""Fixtures: the shared span capture, plus an Anthropic client pointed at a cassette's replay server."""

from __future__ import annotations

from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: F401  (shared fixture)
