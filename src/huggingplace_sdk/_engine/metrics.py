"""The GenAI client metrics, with the bucket boundaries the conventions advise."""

from __future__ import annotations

from opentelemetry.metrics import Histogram, MeterProvider, get_meter_provider
from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc


class GenAIMetrics:
    __slots__ = ("duration", "time_per_output_chunk", "time_to_first_chunk", "token_usage")

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

    def record(
        self, attributes: dict[str, AttributeValue], duration_s: float, input_tokens: int | None,
        output_tokens: int | None, ttfc_s: float | None, per_chunk_s: float | None,
    ) -> None:
        self.duration.record(duration_s, attributes)
        if input_tokens is not None:
            self.token_usage.record(input_tokens, {**attributes, sc.GEN_AI_TOKEN_TYPE: "input"})
        if output_tokens is not None:
            self.token_usage.record(output_tokens, {**attributes, sc.GEN_AI_TOKEN_TYPE: "output"})
        if ttfc_s is not None:
            self.time_to_first_chunk.record(ttfc_s, attributes)
        if per_chunk_s is not None:
            self.time_per_output_chunk.record(per_chunk_s, attributes)


def _schema_url() -> str:
    return f"https://opentelemetry.io/schemas/{sc.SEMCONV_VERSION}"
