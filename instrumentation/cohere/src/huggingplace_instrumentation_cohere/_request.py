"""What every cohere request shares: model, sampling arguments, server address; billed units and tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    Recorder,
    Request,
    field_of,
    given_value,
    non_empty_str,
    put_sampling,
    server_of,
    stop_sequences,
    strict_float,
    strict_int,
)

PROVIDER = "cohere"

# Sampling arguments (the same names in v1 and v2) -> (attribute, strict conversion).
_SAMPLING: dict[str, tuple[str, Callable[[Any], AttributeValue | None]]] = {
    "max_tokens": (sc.GEN_AI_REQUEST_MAX_TOKENS, strict_int),
    "temperature": (sc.GEN_AI_REQUEST_TEMPERATURE, strict_float),
    "p": (sc.GEN_AI_REQUEST_TOP_P, strict_float),
    "k": (sc.GEN_AI_REQUEST_TOP_K, strict_float),
    "seed": (sc.GEN_AI_REQUEST_SEED, strict_int),
    "frequency_penalty": (sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, strict_float),
    "presence_penalty": (sc.GEN_AI_REQUEST_PRESENCE_PENALTY, strict_float),
    "stop_sequences": (sc.GEN_AI_REQUEST_STOP_SEQUENCES, stop_sequences),
}


def new_request(call: Call, operation: str, stream: bool) -> Request:
    kwargs = call.kwargs
    wrapper = getattr(call.instance, "_client_wrapper", None)
    get_base_url = getattr(wrapper, "get_base_url", None)
    host, port = server_of(get_base_url() if callable(get_base_url) else None)
    request = Request(operation, PROVIDER, non_empty_str(given_value(kwargs.get("model"))), stream,
                      server_address=host, server_port=port)
    put_sampling(request.attributes, kwargs, _SAMPLING)
    return request


_BILLED = (
    ("input_tokens", sc.COHERE_BILLED_INPUT_TOKENS),
    ("output_tokens", sc.COHERE_BILLED_OUTPUT_TOKENS),
    ("search_units", sc.COHERE_BILLED_SEARCH_UNITS),
    ("classifications", sc.COHERE_BILLED_CLASSIFICATIONS),
)


def record_usage(usage: Any, recorder: Recorder) -> None:
    """A v1 ``meta`` or a v2 ``usage``: ``tokens`` (what the model read and wrote) as the GenAI usage and
    ``billed_units`` (what is charged; Cohere leaves out e.g. its own preamble) as ``cohere.usage.*``. When
    the API gives only billed units (generate, embed), those are the only token counts it reports, and they
    are the usage."""
    if usage is None:
        return
    billed = field_of(usage, "billed_units")
    for name, key in _BILLED:
        value = strict_int(_number(field_of(billed, name)))
        if value is not None:
            recorder.set_attribute(key, value)
    tokens = field_of(usage, "tokens")
    counted = tokens if tokens is not None else billed
    input_tokens = strict_int(_number(field_of(counted, "input_tokens")))
    output_tokens = strict_int(_number(field_of(counted, "output_tokens")))
    if input_tokens is not None or output_tokens is not None:
        recorder.set_usage(input_tokens=input_tokens, output_tokens=output_tokens)


def _number(value: Any) -> Any:
    """The SDK types counts as floats (``input_tokens: Optional[float]``); whole ones are counts."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
