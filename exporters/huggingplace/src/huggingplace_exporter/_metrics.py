"""Exporter self-metrics: in-process counters (``get_metrics()``) mirrored as OpenTelemetry counters."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any, Final

from opentelemetry.metrics import MeterProvider, get_meter_provider

from huggingplace_sdk import _semconv as sc

_logger = logging.getLogger("huggingplace.exporter")

# Why an interaction was not delivered.
DROP_QUEUE_FULL: Final = "queue_full"
DROP_TOO_LARGE: Final = "too_large"
DROP_REJECTED: Final = "rejected"  # the server refused it (4xx, or "rejected" in a batch answer)
DROP_INVALID: Final = "invalid"  # could not be built into a valid body (client-side validation)
DROP_RETRY_EXHAUSTED: Final = "retry_exhausted"
DROP_SHUTDOWN: Final = "shutdown"
DROP_SPOOL_OVERFLOW: Final = "spool_overflow"  # oldest spool files deleted to honour spool_max_bytes
DROP_REASONS: Final = (
    DROP_QUEUE_FULL, DROP_TOO_LARGE, DROP_REJECTED, DROP_INVALID, DROP_RETRY_EXHAUSTED, DROP_SHUTDOWN,
    DROP_SPOOL_OVERFLOW,
)
METER_NAME: Final = "huggingplace_exporter"
_WARN_INTERVAL_S: Final = 10.0  # one drop warning per reason per interval: overload must not flood logs


class ExporterMetrics:
    """Thread-safe counters of interactions sent, dropped (by reason), spooled and of dropped spans."""

    def __init__(self, meter_provider: MeterProvider | None = None) -> None:
        self._lock = threading.Lock()
        self._sent = 0
        self._duplicates = 0
        self._dropped: Counter[str] = Counter()
        self._spooled = 0
        self._batches = 0
        self._last_warned: dict[str, float] = {}
        provider = meter_provider if meter_provider is not None else get_meter_provider()
        meter = provider.get_meter(METER_NAME)
        self._otel_sent = meter.create_counter(
            sc.METRIC_EXPORTER_SENT, unit="{interaction}", description="Interactions delivered"
        )
        self._otel_dropped = meter.create_counter(
            sc.METRIC_EXPORTER_DROPPED, unit="{interaction}",
            description="Interactions not delivered, by reason",
        )

    def sent(self, count: int, *, duplicates: int = 0) -> None:
        if count <= 0:
            return
        with self._lock:
            self._sent += count
            self._duplicates += duplicates
            self._batches += 1
        self._record(self._otel_sent, count, None)

    def dropped(self, reason: str, count: int = 1) -> None:
        if count <= 0:
            return
        now = time.monotonic()
        with self._lock:
            self._dropped[reason] += count
            total = self._dropped[reason]
            last = self._last_warned.get(reason)
            warn = last is None or now - last >= _WARN_INTERVAL_S
            if warn:
                self._last_warned[reason] = now
        if warn:
            _logger.warning(
                "huggingplace exporter dropped %d interaction(s): %s (%d so far for this reason)",
                count, reason, total,
            )
        self._record(self._otel_dropped, count, {"reason": reason})

    def spooled(self, count: int) -> None:
        with self._lock:
            self._spooled += count

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "sent": self._sent,
                "duplicates": self._duplicates,
                "batches": self._batches,
                "dropped": dict(self._dropped),
                "dropped_total": sum(self._dropped.values()),
                "spooled": self._spooled,
            }

    def reset(self) -> None:
        with self._lock:
            self._sent = self._duplicates = self._spooled = self._batches = 0
            self._dropped.clear()

    @staticmethod
    def _record(counter: Any, count: int, attributes: dict[str, str] | None) -> None:
        try:
            counter.add(count, attributes)
        except Exception:  # a broken meter provider must not break delivery
            _logger.debug("recording an exporter metric failed", exc_info=True)
