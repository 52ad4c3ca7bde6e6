"""Codec for ``litellm.completion`` / ``acompletion``: OpenAI-shaped ``ModelResponse`` and stream chunks,
read by the engine's OpenAI-style chat reader with LiteLLM's request reader and two extras.

LiteLLM answers in the OpenAI chat shape whatever the provider, so finish reasons are in OpenAI's vocabulary
(LiteLLM maps Anthropic's ``end_turn`` to ``stop``, ``max_tokens`` to ``length``, ``tool_use`` to
``tool_calls``). ``prompt_tokens`` already includes cached prompt tokens (LiteLLM adds Anthropic's cache
reads and writes into it), as ``gen_ai.usage.input_tokens`` wants. The extras: the reasoning text LiteLLM
normalises into ``reasoning_content``, and the cache writes it reports as ``cache_creation_input_tokens``.
"""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    CHAT_SAMPLING,
    Call,
    ChatCompletionsCodec,
    Recorder,
    Request,
    chat_messages,
    field_of,
    integer_of,
    number_of,
    record_chat_usage,
    server_of,
    text_of,
)

from ._providers import model_of, resolve

# LiteLLM forwards top_k to the providers that take it (Anthropic, Vertex, ...).
_SAMPLING = {**CHAT_SAMPLING, "top_k": (sc.GEN_AI_REQUEST_TOP_K, number_of)}


def new_request(call: Call, operation: str, model: Any, *, stream: bool = False) -> Request:
    """The request of any LiteLLM call: the model string as sent, the provider LiteLLM resolves it to."""
    model = text_of(model)
    provider, api_base = resolve(call, model)
    request = Request(operation=operation, provider=provider, model=model, stream=stream)
    request.server_address, request.server_port = server_of(api_base)
    api_key = text_of(call.kwargs.get("api_key"))
    if api_key:
        request.secrets = (api_key,)
    return request


def _new_chat_request(call: Call, operation: str) -> Request:
    return new_request(call, operation, model_of(call), stream=bool(call.kwargs.get("stream")))


def _read_reasoning(index: int, message: Any, recorder: Recorder) -> None:
    """The reasoning text LiteLLM normalises from every provider into ``reasoning_content``."""
    reasoning = field_of(message, "reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        recorder.add_text(index, reasoning, kind="reasoning")


def read_usage(usage: Any, recorder: Recorder) -> None:
    """OpenAI's usage fields plus the cache writes LiteLLM reports (from Anthropic, Bedrock, ...)."""
    if usage is None:
        return
    record_chat_usage(usage, recorder)
    recorder.set_usage(cache_creation_input_tokens=integer_of(field_of(usage, "cache_creation_input_tokens")))


class CompletionCodec(ChatCompletionsCodec):
    def __init__(self) -> None:
        super().__init__(_new_chat_request, sampling=_SAMPLING, record_usage=read_usage,
                         read_message=_read_reasoning)

    def read_request(self, call: Call) -> Request:
        request = super().read_request(call)
        if "messages" not in call.kwargs and len(call.args) > 1:  # completion(model, messages) by position
            messages = call.args[1]
            request.input_messages = lambda: chat_messages(messages)
        return request
