"""The caller gets exactly the objects it would get without us, for every call shape."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import openai
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from pydantic import BaseModel

from huggingplace_sdk.testing import ReplayServer, cassette_path
from huggingplace_sdk.testing._capture import SpanCapture

from ._drive import chat_helpers, sync_client

CHAT = cassette_path("openai", "test_chat__test_chat")
CHAT_STREAM = cassette_path("openai", "test_chat__test_chat_streaming_not_consumed")
PARSE = cassette_path("openai", "test_chat_parse__test_parsed_completion")
RESPONSES_STREAM = cassette_path("openai", "test_responses__test_responses_streaming")
RESPONSES_PARSE = cassette_path("openai", "test_responses__test_responses_parse")
EMBEDDINGS = cassette_path("openai", "test_embeddings__test_embeddings")
MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]


class StructuredAnswer(BaseModel):
    rating: int
    joke: str


class Person(BaseModel):
    name: str
    age: int


def _chat(client: openai.OpenAI) -> list[type]:
    return [type(client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES))]


def _raw(client: openai.OpenAI) -> list[type]:
    raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
    return [type(raw), type(raw.parse())]


def _streaming_response(client: openai.OpenAI) -> list[type]:
    manager = client.chat.completions.with_streaming_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
    with manager as response:
        return [type(manager), type(response), type(response.parse())]


def _parse(client: openai.OpenAI) -> list[type]:
    parsed = chat_helpers(client).parse(model="gpt-4o", messages=MESSAGES, response_format=StructuredAnswer)
    return [type(parsed), type(parsed.choices[0].message.parsed)]


def _stream(client: openai.OpenAI) -> list[type]:
    stream = client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
    kinds = [type(stream), type(next(iter(stream)))]
    stream.close()
    return kinds


def _raw_stream(client: openai.OpenAI) -> list[type]:
    raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
    stream = raw.parse()
    kinds = [type(raw), type(stream), *{type(chunk) for chunk in stream}]
    return kinds


def _stream_manager(client: openai.OpenAI) -> list[type]:
    manager = chat_helpers(client).stream(model="gpt-3.5-turbo", messages=MESSAGES)
    with manager as stream:
        return [type(manager), type(stream), type(stream.get_final_completion())]


def _responses_stream_manager(client: openai.OpenAI) -> list[type]:
    manager = client.responses.stream(model="gpt-4.1-nano", input="Tell me a joke about opentelemetry")
    with manager as stream:
        return [type(manager), type(stream), type(stream.get_final_response())]


def _responses_parse(client: openai.OpenAI) -> list[type]:
    parsed = client.responses.parse(model="gpt-4.1-nano", input="Extract: Alice is 30 years old.", text_format=Person)
    return [type(parsed), type(parsed.output_parsed)]


def _embeddings(client: openai.OpenAI) -> list[type]:
    result = client.embeddings.create(model="text-embedding-ada-002", input="x")
    return [type(result), type(result.data[0].embedding)]


SHAPES: dict[str, tuple[Any, Callable[[openai.OpenAI], list[type]]]] = {
    "create": (CHAT, _chat),
    "with_raw_response": (CHAT, _raw),
    "with_streaming_response": (CHAT, _streaming_response),
    "parse": (PARSE, _parse),
    "stream": (CHAT_STREAM, _stream),
    "with_raw_response_stream": (CHAT_STREAM, _raw_stream),
    "chat_stream_manager": (CHAT_STREAM, _stream_manager),
    "responses_stream_manager": (RESPONSES_STREAM, _responses_stream_manager),
    "responses_parse": (RESPONSES_PARSE, _responses_parse),
    "embeddings": (EMBEDDINGS, _embeddings),
}


def _types_of_every_shape() -> dict[str, list[type]]:
    kinds = {}
    for shape, (cassette, call) in SHAPES.items():
        with ReplayServer(cassette) as server, sync_client(server.base_url) as client:
            kinds[shape] = call(client)
    gc.collect()
    return kinds


def test_types_identical_with_and_without_instrumentation(span_capture: SpanCapture) -> None:
    plain = _types_of_every_shape()
    assert span_capture.spans() == []
    span_capture.instrument(OpenAIInstrumentor())
    traced = _types_of_every_shape()
    assert traced == plain
    assert len(span_capture.spans()) == len(SHAPES)  # one span per call, helpers included
    assert plain["parse"][1] is StructuredAnswer
    assert plain["responses_parse"][1] is Person
