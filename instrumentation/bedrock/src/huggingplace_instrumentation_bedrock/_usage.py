"""Token counts as Bedrock reports them, with where they came from (``huggingplace.usage.carrier``).

Counts are only ever read, never estimated: a body, a stream or headers without counts leave usage absent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Recorder

INPUT_TOKENS_HEADER = "x-amzn-bedrock-input-token-count"
OUTPUT_TOKENS_HEADER = "x-amzn-bedrock-output-token-count"
INVOCATION_METRICS = "amazon-bedrock-invocationMetrics"  # Bedrock's own counts, on a stream's last chunk


def count(value: Any) -> int | None:
    """A token count: ints, and the floats some bodies use (Titan streams send ``6.0``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def first_int(values: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        found = count(values.get(key))
        if found is not None:
            return found
    return None


def record(recorder: Recorder, input_tokens: Any, output_tokens: Any, cache_read: int | None = None,
           cache_write: int | None = None, carrier: str = sc.USAGE_CARRIER_BODY) -> bool:
    """Record the counts given; ``input_tokens`` excludes cached ones, which the conventions count in."""
    uncached, output = count(input_tokens), count(output_tokens)
    if uncached is None and output is None:
        return False
    total_input = None if uncached is None else uncached + (cache_read or 0) + (cache_write or 0)
    recorder.set_usage(input_tokens=total_input, output_tokens=output, cache_read_input_tokens=cache_read,
                       cache_creation_input_tokens=cache_write)
    recorder.set_attribute(sc.HP_USAGE_CARRIER, carrier)
    return True


def from_headers(headers: Any, recorder: Recorder) -> bool:
    """The counts Bedrock puts in ``invoke_model`` response headers (botocore lower-cases header names)."""
    if not isinstance(headers, Mapping):
        return False
    found = [headers.get(INPUT_TOKENS_HEADER), headers.get(OUTPUT_TOKENS_HEADER)]
    values = [int(v) if isinstance(v, str) and v.strip().isdigit() else None for v in found]
    return record(recorder, values[0], values[1], carrier=sc.USAGE_CARRIER_HEADERS)


def from_invocation_metrics(metrics: Any, recorder: Recorder) -> bool:
    if not isinstance(metrics, Mapping):
        return False
    return record(recorder, metrics.get("inputTokenCount"), metrics.get("outputTokenCount"),
                  first_int(metrics, "cacheReadInputTokenCount"), first_int(metrics, "cacheWriteInputTokenCount"),
                  carrier=sc.USAGE_CARRIER_INVOCATION_METRICS)


def json_text(value: Any) -> str | None:
    """Tool-call arguments as text (they arrive as parsed JSON in complete responses)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return None
