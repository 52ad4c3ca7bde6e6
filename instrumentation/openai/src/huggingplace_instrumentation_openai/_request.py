"""What every openai inference request shares: model, sampling parameters, server, stream usage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import CHAT_SAMPLING, Call, Request, given_value, is_usage_only_chunk, put_chat_sampling

from ._fields import arg, as_str, server_of
from ._hosts import AZURE, PROVIDER, PROVIDER_HOSTS_OPTION, azure_deployment, provider_of

STREAM_USAGE_OPTION = "stream_usage"
_NONE_NAMED: dict[str, str] = {}

__all__ = ["PROVIDER", "SAMPLING", "STREAM_USAGE_OPTION", "is_usage_only_chunk", "maybe_request_stream_usage",
           "new_request", "put_sampling"]


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


# openai's sampling arguments: the OpenAI-style chat ones and ``service_tier``.
SAMPLING = {**CHAT_SAMPLING, "service_tier": (sc.OPENAI_REQUEST_SERVICE_TIER, as_str)}


def put_sampling(request: Request, kwargs: Mapping[str, Any], *max_token_names: str) -> None:
    """Sampling attributes common to chat, legacy completions and the Responses API. ``max_token_names`` in
    order of precedence."""
    put_chat_sampling(request, kwargs, *max_token_names, sampling=SAMPLING)


def maybe_request_stream_usage(call: Call, request: Request) -> None:
    """With the ``stream_usage`` option, ask a stream for its usage when the caller did not choose."""
    if not request.stream or not call.options.get(STREAM_USAGE_OPTION):
        return
    if arg(call.kwargs, "stream_options") is not None:
        return  # the caller decided: never override it
    call.kwargs = {**call.kwargs, "stream_options": {"include_usage": True}}  # a new dict: never the caller's
    request.usage_injected = True
