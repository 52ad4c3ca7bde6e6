"""HuggingPlace span exporter: each trace becomes one HuggingPlace interaction log.

Use it like any OpenTelemetry span exporter (``BatchSpanProcessor(HuggingPlaceSpanExporter())``) or in
zero-code mode with ``OTEL_TRACES_EXPORTER=huggingplace``.
"""

from __future__ import annotations

from ._config import ExporterSettings
from ._convert import CONTENT_NOT_CAPTURED
from ._exporter import HuggingPlaceSpanExporter

__all__ = ["CONTENT_NOT_CAPTURED", "ExporterSettings", "HuggingPlaceSpanExporter"]
