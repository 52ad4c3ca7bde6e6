"""``with_raw_response`` / ``with_streaming_response``: the body is the caller's to read, the span still ends."""

from __future__ import annotations

import gc

from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, cassette_path, load_cassette, recorded_json, recorded_sse_events
from huggingplace_sdk.testing._capture import SpanCapture

from ._drive import async_client, sync_client

CHAT = cassette_path("openai", "test_chat__test_chat")
CHAT_STREAM = cassette_path("openai", "test_chat__test_chat_streaming_not_consumed")
MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]


def test_raw_response_is_finished_by_the_callers_parse(span_capture: SpanCapture) -> None:
    expected = recorded_json(load_cassette(CHAT)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
        assert span_capture.spans() == []  # nothing read for the caller yet
        completion = raw.parse()
        assert raw.parse() is completion  # the SDK's cache still works
    assert completion.id == expected["id"]
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_ID] == expected["id"]
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == expected["usage"]["prompt_tokens"]


def test_raw_response_never_parsed_ends_at_collection(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
        assert raw.status_code == 200
        assert span_capture.spans() == []
        del raw
        gc.collect()
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT  # the body was never read: nothing invented
    assert sc.GEN_AI_RESPONSE_ID not in attrs


def test_raw_response_with_stream_observes_the_parsed_stream(span_capture: SpanCapture) -> None:
    events = recorded_sse_events(load_cassette(CHAT_STREAM)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT_STREAM) as server, sync_client(server.base_url) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        stream = raw.parse()
        del raw  # dropping the raw response must not end the span of a stream still being read
        gc.collect()
        assert span_capture.spans() == []
        chunks = list(stream)
    assert len(chunks) == len(events)
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert attrs[sc.HP_STREAM_CHUNKS] == len(events)
    assert attrs[sc.GEN_AI_RESPONSE_ID] == events[0]["id"]


def test_raw_response_with_stream_never_parsed(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT_STREAM) as server, sync_client(server.base_url) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        raw.http_response.close()
        del raw
        gc.collect()
    assert len(span_capture.spans()) == 1


def test_streaming_response_body_not_read_before_parse(span_capture: SpanCapture) -> None:
    expected = recorded_json(load_cassette(CHAT)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with (
        ReplayServer(CHAT) as server,
        sync_client(server.base_url) as client,
        client.chat.completions.with_streaming_response.create(model="gpt-3.5-turbo", messages=MESSAGES) as response,
    ):
        assert not response.http_response.is_stream_consumed
        assert span_capture.spans() == []
        completion = response.parse()
    assert completion.id == expected["id"]
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_RESPONSE_ID] == expected["id"]


def test_streaming_response_closed_without_parse_ends_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        with client.chat.completions.with_streaming_response.create(
            model="gpt-3.5-turbo", messages=MESSAGES
        ) as response:
            lines = list(response.iter_lines())  # the caller reads the body its own way
        assert lines
        assert len(span_capture.spans()) == 1  # ended on close, while the caller still holds it
        assert response.http_response.is_closed


def test_streaming_response_with_stream(span_capture: SpanCapture) -> None:
    events = recorded_sse_events(load_cassette(CHAT_STREAM)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with (
        ReplayServer(CHAT_STREAM) as server,
        sync_client(server.base_url) as client,
        client.chat.completions.with_streaming_response.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        ) as response,
    ):
        chunks = list(response.parse())
    assert len(chunks) == len(events)
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED


def test_streaming_response_with_stream_left_early(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT_STREAM) as server, sync_client(server.base_url) as client:
        with client.chat.completions.with_streaming_response.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        ) as response:
            stream = response.parse()
            next(iter(stream))
        assert len(span_capture.spans()) == 1  # leaving the block ended it: no open span left behind
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_CLOSED_EARLY


async def test_async_raw_and_streaming_responses(span_capture: SpanCapture) -> None:
    expected = recorded_json(load_cassette(CHAT)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT) as server:
        client = async_client(server.base_url)
        raw = await client.chat.completions.with_raw_response.create(model="gpt-3.5-turbo", messages=MESSAGES)
        assert raw.parse().id == expected["id"]  # LegacyAPIResponse.parse is sync even for async clients
        async with client.chat.completions.with_streaming_response.create(
            model="gpt-3.5-turbo", messages=MESSAGES
        ) as response:
            parsed = await response.parse()
        await client.close()
    assert parsed.id == recorded_json(load_cassette(CHAT)[1])["id"]
    ids = [(s.attributes or {}).get(sc.GEN_AI_RESPONSE_ID) for s in span_capture.spans()]
    assert ids == [expected["id"], parsed.id]


async def test_async_streaming_response_with_stream(span_capture: SpanCapture) -> None:
    events = recorded_sse_events(load_cassette(CHAT_STREAM)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT_STREAM) as server:
        client = async_client(server.base_url)
        async with client.chat.completions.with_streaming_response.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        ) as response:
            stream = await response.parse()
            chunks = [chunk async for chunk in stream]
        await client.close()
    assert len(chunks) == len(events)
    assert (span_capture.only_span().attributes or {})[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
