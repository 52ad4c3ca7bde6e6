"""The GenAI client metrics, with the bucket boundaries the conventions advise."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from opentelemetry.context import Context
from opentelemetry.metrics import CallbackOptions, Histogram, MeterProvider, Observation, get_meter_provider
from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc

# The attribute key of a measurement: operation, provider, request model, response model, server address,
# server port, error type.
AttributeKey = tuple[str, str, "str | None", "str | None", "str | None", "int | None", "str | None"]
_MAX_ATTRIBUTE_SETS = 1024


class GenAIMetrics:
    __slots__ = ("_attribute_sets", "_spend", "duration", "time_per_output_chunk", "time_to_first_chunk",
                 "token_usage")

    def __init__(self, meter_provider: MeterProvider | None, scope: str, version: str) -> None:
        meter = (meter_provider or get_meter_provider()).get_meter(scope, version,
                                                                     schema_url=_schema_url())
        self.duration: Histogram = meter.create_histogram(
            sc.METRIC_OPERATION_DURATION, unit="s", description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=list(sc.DURATION_BUCKETS))
        self.token_usage: Histogram = meter.create_histogram(
            sc.METRIC_TOKEN_USAGE, unit="{token}", description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=list(sc.TOKEN_USAGE_BUCKETS))
        self.time_to_first_chunk: Histogram = meter.create_histogram(
            sc.METRIC_TIME_TO_FIRST_CHUNK, unit="s", description="Time to receive the first chunk of a stream",
            explicit_bucket_boundaries_advisory=list(sc.TIME_TO_FIRST_CHUNK_BUCKETS))
        self.time_per_output_chunk: Histogram = meter.create_histogram(
            sc.METRIC_TIME_PER_OUTPUT_CHUNK, unit="s", description="Time between chunks after the first",
            explicit_bucket_boundaries_advisory=list(sc.TIME_PER_OUTPUT_CHUNK_BUCKETS))
        self._spend = _spend_of(meter)
        # Calls repeat a handful of attribute sets: each is built once (plain, input tokens, output tokens)
        # and never mutated afterwards, as the SDK copies what it keeps.
        self._attribute_sets: dict[AttributeKey, tuple[dict[str, AttributeValue], ...]] = {}

    def attribute_sets(self, key: AttributeKey) -> tuple[dict[str, AttributeValue], ...]:
        sets = self._attribute_sets.get(key)
        if sets is None:
            operation, provider, model, response_model, address, port, error_type = key
            attributes: dict[str, AttributeValue] = {sc.GEN_AI_OPERATION_NAME: operation,
                                                     sc.GEN_AI_PROVIDER_NAME: provider}
            for name, value in ((sc.GEN_AI_REQUEST_MODEL, model), (sc.GEN_AI_RESPONSE_MODEL, response_model),
                                (sc.SERVER_ADDRESS, address), (sc.SERVER_PORT, port), (sc.ERROR_TYPE, error_type)):
                if value:
                    attributes[name] = value
            sets = (attributes, {**attributes, sc.GEN_AI_TOKEN_TYPE: "input"},
                    {**attributes, sc.GEN_AI_TOKEN_TYPE: "output"})
            if len(self._attribute_sets) >= _MAX_ATTRIBUTE_SETS:
                self._attribute_sets.clear()  # unbounded model names must not grow memory
            self._attribute_sets[key] = sets
        return sets

    def record(
        self, key: AttributeKey, duration_s: float, input_tokens: int | None,
        output_tokens: int | None, ttfc_s: float | None, per_chunk_s: float | None, context: Context,
    ) -> None:
        """``context`` holds the call's span, so that exemplars point at the call rather than its parent."""
        attributes, input_attributes, output_attributes = self._attribute_sets.get(key) or self.attribute_sets(key)
        self.duration.record(duration_s, attributes, context)
        if input_tokens is not None:
            self.token_usage.record(input_tokens, input_attributes, context)
        if output_tokens is not None:
            self.token_usage.record(output_tokens, output_attributes, context)
        if ttfc_s is not None:
            self.time_to_first_chunk.record(ttfc_s, attributes, context)
        if per_chunk_s is not None:
            self.time_per_output_chunk.record(per_chunk_s, attributes, context)


    def record_cost(self, amount: Decimal, provider: str, model: str | None, response_model: str | None) -> None:
        self._spend.add(float(amount), (provider, model, response_model))


class _Spend:
    """Spend summed per attribute set, reported when the SDK collects. Adding to a dict per call costs a
    fraction of a synchronous Counter.add (attribute hashing, exemplar filter) on the hot path."""

    def __init__(self) -> None:
        self._totals: dict[tuple[str, str | None, str | None], float] = {}
        self._lock = threading.Lock()

    def add(self, amount: float, key: tuple[str, str | None, str | None]) -> None:
        with self._lock:
            if key not in self._totals and len(self._totals) >= _MAX_ATTRIBUTE_SETS:
                key = (key[0], None, None)  # unbounded model names must not grow memory: fold into the provider
            self._totals[key] = self._totals.get(key, 0.0) + amount

    def observe(self, options: CallbackOptions) -> Iterable[Observation]:
        with self._lock:
            totals = list(self._totals.items())
        for (provider, model, response_model), total in totals:
            attributes: dict[str, AttributeValue] = {sc.GEN_AI_PROVIDER_NAME: provider}
            if model:
                attributes[sc.GEN_AI_REQUEST_MODEL] = model
            if response_model:
                attributes[sc.GEN_AI_RESPONSE_MODEL] = response_model
            yield Observation(total, attributes)


# An observable instrument registers once per meter (a second registration returns the first, with its
# callback), so the store is the meter's, shared by every engine that instruments into it.
_spend_by_meter: weakref.WeakKeyDictionary[Any, _Spend] = weakref.WeakKeyDictionary()
_spend_by_meter_lock = threading.Lock()


def _spend_of(meter: Any) -> _Spend:
    with _spend_by_meter_lock:
        spend = _spend_by_meter.get(meter)
        if spend is None:
            spend = _spend_by_meter[meter] = _Spend()
            meter.create_observable_counter(sc.METRIC_COST, callbacks=[spend.observe], unit=sc.COST_CURRENCY_USD,
                                            description="Spend on GenAI calls priced from their usage")
        return spend


def _schema_url() -> str:
    return f"https://opentelemetry.io/schemas/{sc.SEMCONV_VERSION}"
