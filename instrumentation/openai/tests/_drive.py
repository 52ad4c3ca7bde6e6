"""Replay one recorded request through the real openai client, the way the recording's test made it."""

from __future__ import annotations

import inspect
from typing import Any

import openai

from huggingplace_sdk.testing import Interaction, recorded_request_json


def call_kwargs(method: Any, body: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Body fields this SDK release names as parameters; the others go in ``extra_body``."""
    parameters = inspect.signature(method).parameters
    body = {k: v for k, v in body.items() if k not in drop}
    kwargs = {k: v for k, v in body.items() if k in parameters}
    extra = {k: v for k, v in body.items() if k not in parameters}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def request_body(interaction: Interaction) -> dict[str, Any]:
    body = dict(recorded_request_json(interaction) or {})
    if interaction.request.path.endswith("/embeddings") and body.get("encoding_format") == "base64":
        del body["encoding_format"]  # the SDK's own default: it asks for base64 and decodes it
    return body


def sync_client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test-secret-key", base_url=f"{base_url}/v1", max_retries=0)


def async_client(base_url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key="sk-test-secret-key", base_url=f"{base_url}/v1", max_retries=0)


def replay_sync(client: openai.OpenAI, name: str, interaction: Interaction) -> tuple[Any, list[Any] | None]:
    """Make the call; returns the result and, for a stream, the chunks the caller received."""
    body, path = request_body(interaction), interaction.request.path
    if path.endswith("/chat/completions"):
        chat = client.chat.completions
        if "parse" in name:
            parse = chat_helpers(client).parse
            return parse(**call_kwargs(parse, body, drop=("stream",))), None
        return _consume(chat.create(**call_kwargs(chat.create, body)))
    if path.endswith("/completions"):
        return _consume(client.completions.create(**call_kwargs(client.completions.create, body)))
    if path.endswith("/embeddings"):
        if "raw_response" in name:
            raw = client.embeddings.with_raw_response.create(**call_kwargs(client.embeddings.create, body))
            return raw.parse(), None
        return client.embeddings.create(**call_kwargs(client.embeddings.create, body)), None
    if path.endswith("/responses"):
        responses = client.responses
        if "parse" in name:
            return responses.parse(**call_kwargs(responses.parse, body)), None
        if "context_manager" in name:
            with responses.stream(**call_kwargs(responses.stream, body, drop=("stream",))) as stream:
                events = list(stream)
                return stream.get_final_response(), events
        return _consume(responses.create(**call_kwargs(responses.create, body)))
    raise AssertionError(f"no replay for {path}")


async def replay_async(client: openai.AsyncOpenAI, name: str, interaction: Interaction) -> tuple[Any, list[Any] | None]:
    body, path = request_body(interaction), interaction.request.path
    if path.endswith("/chat/completions"):
        chat = client.chat.completions
        if "parse" in name:
            parse = chat_helpers(client).parse
            return await parse(**call_kwargs(parse, body, drop=("stream",))), None
        return await _consume_async(await chat.create(**call_kwargs(chat.create, body)))
    if path.endswith("/completions"):
        completions = client.completions
        return await _consume_async(await completions.create(**call_kwargs(completions.create, body)))
    if path.endswith("/embeddings"):
        return await client.embeddings.create(**call_kwargs(client.embeddings.create, body)), None
    if path.endswith("/responses"):
        responses = client.responses
        if "parse" in name:
            return await responses.parse(**call_kwargs(responses.parse, body)), None
        if "context_manager" in name:
            manager = responses.stream(**call_kwargs(responses.stream, body, drop=("stream",)))
            async with manager as stream:
                events = [event async for event in stream]
                return await stream.get_final_response(), events
        return await _consume_async(await responses.create(**call_kwargs(responses.create, body)))
    raise AssertionError(f"no replay for {path}")


def _consume(result: Any) -> tuple[Any, list[Any] | None]:
    if isinstance(result, openai.Stream):
        return result, list(result)
    return result, None


async def _consume_async(result: Any) -> tuple[Any, list[Any] | None]:
    if isinstance(result, openai.AsyncStream):
        return result, [chunk async for chunk in result]
    return result, None


def chat_helpers(client: Any) -> Any:
    """The resource holding chat ``parse()`` / ``stream()``: ``beta.chat.completions`` in older releases."""
    chat = client.chat.completions
    return chat if hasattr(chat, "parse") else client.beta.chat.completions
