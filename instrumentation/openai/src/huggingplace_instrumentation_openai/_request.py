"""What every openai inference request shares: model, sampling parameters, server, stream usage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Request, given_value

from ._fields import arg, as_float, as_int, as_str, put, server_of, string_list

PROVIDER = "openai"
STREAM_USAGE_OPTION = "stream_usage"


def new_request(call: Call, operation: str) -> Request:
    kwargs = call.kwargs
    host, port = server_of(call.instance)
    return Request(
        operation=operation,
        provider=PROVIDER,
        model=as_str(arg(kwargs, "model")),
        stream=bool(given_value(kwargs.get("stream"))),  # only the argument decides what the SDK returns
        server_address=host,
        server_port=port,
    )


def put_sampling(request: Request, kwargs: Mapping[str, Any], *max_token_names: str) -> None:
    """Sampling attributes common to chat, legacy completions and the Responses API."""
    attributes = request.attributes
    for name in max_token_names:
        max_tokens = as_int(arg(kwargs, name))
        if max_tokens is not None:
            attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] = max_tokens
            break
    put(attributes, sc.GEN_AI_REQUEST_TEMPERATURE, as_float(arg(kwargs, "temperature")))
    put(attributes, sc.GEN_AI_REQUEST_TOP_P, as_float(arg(kwargs, "top_p")))
    put(attributes, sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, as_float(arg(kwargs, "frequency_penalty")))
    put(attributes, sc.GEN_AI_REQUEST_PRESENCE_PENALTY, as_float(arg(kwargs, "presence_penalty")))
    put(attributes, sc.GEN_AI_REQUEST_SEED, as_int(arg(kwargs, "seed")))
    put(attributes, sc.GEN_AI_REQUEST_STOP_SEQUENCES, string_list(arg(kwargs, "stop")))
    choices = as_int(arg(kwargs, "n"))
    if choices is not None and choices != 1:
        attributes[sc.GEN_AI_REQUEST_CHOICE_COUNT] = choices
    put(attributes, sc.OPENAI_REQUEST_SERVICE_TIER, as_str(arg(kwargs, "service_tier")))


def maybe_request_stream_usage(call: Call, request: Request) -> None:
    """With the ``stream_usage`` option, ask a stream for its usage when the caller did not choose."""
    if not request.stream or not call.options.get(STREAM_USAGE_OPTION):
        return
    if arg(call.kwargs, "stream_options") is not None:
        return  # the caller decided: never override it
    call.kwargs["stream_options"] = {"include_usage": True}
    request.usage_injected = True


def is_usage_only_chunk(chunk: Any) -> bool:
    """The extra final chunk ``include_usage`` produces: no choices, only usage."""
    choices = getattr(chunk, "choices", None)
    return isinstance(choices, list) and not choices and getattr(chunk, "usage", None) is not None
