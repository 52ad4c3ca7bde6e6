"""Groq chat completions: the engine's OpenAI-style chat reading, with Groq's request reader and the usage
Groq streams report in ``x_groq.usage`` (the last chunk) rather than in ``usage``."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import (
    Call,
    ChatCompletionsCodec,
    Recorder,
    Request,
    call_argument,
    field_of,
    given_value,
    non_empty_str,
    record_chat_usage,
    server_of,
)

PROVIDER = "groq"


def _server_of(instance: Any) -> tuple[str | None, int | None]:
    client = getattr(instance, "_client", None)
    url = getattr(client, "_base_url", None)
    return server_of(url if url is not None else getattr(client, "base_url", None))


def new_request(call: Call, operation: str) -> Request:
    kwargs = call.kwargs
    host, port = _server_of(call.instance)
    model = kwargs.get("model")
    if type(model) is not str or not model:  # absent, a sentinel, or only in extra_body
        model = non_empty_str(call_argument(kwargs, "model"))
    stream = kwargs.get("stream")  # only the argument decides what the SDK returns
    return Request(operation, PROVIDER, model, stream is True or (stream is not None and bool(given_value(stream))),
                   server_address=host, server_port=port)


def read_x_groq_usage(chunk: Any, recorder: Recorder) -> None:
    """The last chunk of a Groq stream carries its usage in ``x_groq.usage`` (Groq's own extension)."""
    usage = field_of(field_of(chunk, "x_groq"), "usage")
    if usage is not None:
        record_chat_usage(usage, recorder)


class ChatCodec(ChatCompletionsCodec):
    def __init__(self) -> None:
        super().__init__(new_request, read_chunk_usage=read_x_groq_usage)


__all__ = ["PROVIDER", "ChatCodec", "new_request", "read_x_groq_usage"]
