"""What every openai inference request shares: model, sampling parameters, server, stream usage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Request, given_value

from ._fields import arg, as_float, as_int, as_str, server_of, string_list
from ._hosts import AZURE, PROVIDER_HOSTS_OPTION, azure_deployment, provider_of

_NONE_NAMED: dict[str, str] = {}
STREAM_USAGE_OPTION = "stream_usage"


def new_request(call: Call, operation: str) -> Request:
    kwargs = call.kwargs
    host, port = server_of(call.instance)
    model = kwargs.get("model")
    if type(model) is not str or not model:  # absent, a sentinel, or only in extra_body
        model = as_str(arg(kwargs, "model"))
    stream = kwargs.get("stream")  # only the argument decides what the SDK returns
    client = getattr(call.instance, "_client", None)
    provider = provider_of(client, host, port, call.options.get(PROVIDER_HOSTS_OPTION) or _NONE_NAMED)
    request = Request(operation, provider, model,
                      stream is True or (stream is not None and bool(given_value(stream))),
                      server_address=host, server_port=port)
    if provider == AZURE:
        # An Azure deployment is not a model name: kept apart, the response says which model served it.
        deployment = azure_deployment(client, model)
        request.model = None
        if deployment:
            request.attributes[sc.HP_AZURE_OPENAI_DEPLOYMENT] = deployment
            request.span_name = f"{operation} {deployment}"
    return request


def _choice_count(value: Any) -> int | None:
    count = as_int(value)
    return None if count == 1 else count  # the default: recorded only when more than one was asked for


# Optional request arguments: argument name -> (attribute, strict conversion). Read in one pass over the
# arguments actually given, so a call pays for what it passes, not for every parameter the API has.
_SAMPLING: dict[str, tuple[str, Callable[[Any], AttributeValue | None]]] = {
    "temperature": (sc.GEN_AI_REQUEST_TEMPERATURE, as_float),
    "top_p": (sc.GEN_AI_REQUEST_TOP_P, as_float),
    "frequency_penalty": (sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, as_float),
    "presence_penalty": (sc.GEN_AI_REQUEST_PRESENCE_PENALTY, as_float),
    "seed": (sc.GEN_AI_REQUEST_SEED, as_int),
    "stop": (sc.GEN_AI_REQUEST_STOP_SEQUENCES, string_list),
    "n": (sc.GEN_AI_REQUEST_CHOICE_COUNT, _choice_count),
    "service_tier": (sc.OPENAI_REQUEST_SERVICE_TIER, as_str),
}


def put_sampling(request: Request, kwargs: Mapping[str, Any], *max_token_names: str) -> None:
    """Sampling attributes common to chat, legacy completions and the Responses API. ``max_token_names`` in
    order of precedence (chat has ``max_completion_tokens`` and the older ``max_tokens``)."""
    attributes = request.attributes
    rank = _put_known(attributes, kwargs, None, max_token_names, len(max_token_names))
    if "extra_body" in kwargs:
        extra = given_value(kwargs["extra_body"])
        if isinstance(extra, Mapping):  # parameters this SDK release does not name yet; an argument wins
            _put_known(attributes, extra, kwargs, max_token_names, rank)


def _put_known(attributes: dict[str, AttributeValue], values: Mapping[str, Any],
               overridden_by: Mapping[str, Any] | None, max_token_names: tuple[str, ...], rank: int) -> int:
    """One pass over ``values``; returns the precedence rank of the max-tokens name recorded (or ``rank``)."""
    for name, value in values.items():
        if value is None:
            continue
        known = _SAMPLING.get(name)
        if known is None and name not in max_token_names:
            continue
        if overridden_by is not None and given_value(overridden_by.get(name)) is not None:
            continue
        if known is None:
            position = max_token_names.index(name)
            max_tokens = as_int(given_value(value)) if position < rank else None
            if max_tokens is not None:
                attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] = max_tokens
                rank = position
            continue
        converted = known[1](given_value(value))
        if converted is not None:
            attributes[known[0]] = converted
    return rank


def maybe_request_stream_usage(call: Call, request: Request) -> None:
    """With the ``stream_usage`` option, ask a stream for its usage when the caller did not choose."""
    if not request.stream or not call.options.get(STREAM_USAGE_OPTION):
        return
    if arg(call.kwargs, "stream_options") is not None:
        return  # the caller decided: never override it
    call.kwargs = {**call.kwargs, "stream_options": {"include_usage": True}}  # a new dict: never the caller's
    request.usage_injected = True


def is_usage_only_chunk(chunk: Any) -> bool:
    """The extra final chunk ``include_usage`` produces: no choices, only usage."""
    choices = getattr(chunk, "choices", None)
    return isinstance(choices, list) and not choices and getattr(chunk, "usage", None) is not None
