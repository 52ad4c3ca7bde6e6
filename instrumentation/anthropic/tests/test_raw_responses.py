"""``with_raw_response`` / ``with_streaming_response``: the body is the caller's to read, the span still ends.

Recorded Anthropic traffic replayed through the real client; expected values read from the cassettes.
"""

from __future__ import annotations

import gc
import inspect
from typing import Any

import anthropic
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor
from opentelemetry.sdk.trace import ReadableSpan

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    INVALID_JSON,
    Mutation,
    ReplayServer,
    SpanCapture,
    cassette_path,
    load_cassette,
    recorded_request_json,
)

from ._recorded import Recorded, recorded_message

API_KEY = "sk-ant-replay-secret-7f3a"
CREATE = cassette_path("anthropic", "test_messages__test_anthropic_message_create_legacy")
STREAM = cassette_path("anthropic", "test_messages__test_anthropic_message_streaming_legacy")
ASYNC_STREAM = cassette_path("anthropic", "test_messages__test_async_anthropic_message_streaming_legacy")


def _recording(path: Any) -> tuple[dict[str, Any], Recorded]:
    [interaction] = load_cassette(path)
    return recorded_request_json(interaction), recorded_message(interaction)


def _client(server: ReplayServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=API_KEY, base_url=server.base_url, max_retries=0)


def _async_client(server: ReplayServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=API_KEY, base_url=server.base_url, max_retries=0)


def _only_span(capture: SpanCapture) -> ReadableSpan:
    [span] = [s for s in capture.spans() if s.instrumentation_scope.name == "huggingplace_instrumentation_anthropic"]
    assert span.end_time is not None
    return span


def _assert_response_recorded(span: ReadableSpan, recorded: Recorded) -> None:
    attributes = dict(span.attributes or {})
    assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded.id
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded.model
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [recorded.stop_reason]
    assert attributes[sc.HP_USAGE_SOURCE] == "provider"
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == recorded.input_tokens
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == recorded.output_tokens


async def _parse(raw: Any) -> Any:
    """``raw.parse()``: a coroutine for an async client's AsyncAPIResponse, plain for a LegacyAPIResponse."""
    parsed = raw.parse()
    return await parsed if inspect.isawaitable(parsed) else parsed


def _uninstrumented_raw_parse(path: Any, body: dict[str, Any]) -> tuple[type, Any]:
    with ReplayServer(path) as server:
        raw = _client(server).messages.with_raw_response.create(**body)
        return type(raw), raw.parse()


def test_raw_response_keeps_its_type_and_is_finished_by_the_callers_parse(span_capture: SpanCapture) -> None:
    body, recorded = _recording(CREATE)
    plain_type, plain_message = _uninstrumented_raw_parse(CREATE, body)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(CREATE) as server:
        raw = _client(server).messages.with_raw_response.create(**body)
        assert type(raw) is plain_type
        assert span_capture.spans() == []  # the body is not read before the caller reads it
        message = raw.parse()
        assert raw.parse() is message  # the SDK's parse cache still works
    assert type(message) is type(plain_message)
    assert message == plain_message
    _assert_response_recorded(_only_span(span_capture), recorded)


def test_raw_response_with_stream_observes_the_parsed_stream_to_its_end(span_capture: SpanCapture) -> None:
    body, recorded = _recording(STREAM)
    with ReplayServer(STREAM) as server:
        plain_raw = _client(server).messages.with_raw_response.create(**body)
        plain_events = list(plain_raw.parse())
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(STREAM) as server:
        raw = _client(server).messages.with_raw_response.create(**body)
        assert type(raw) is type(plain_raw)
        stream = raw.parse()
        assert type(stream) is anthropic.Stream
        del raw  # dropping the raw response must not end the span of a stream still being read
        gc.collect()
        assert span_capture.spans() == []
        events = list(stream)
    assert events == plain_events
    span = _only_span(span_capture)
    _assert_response_recorded(span, recorded)
    attributes = dict(span.attributes or {})
    assert attributes[sc.GEN_AI_REQUEST_STREAM] is True
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    assert attributes[sc.HP_STREAM_CHUNKS] == recorded.events


def test_raw_stream_closed_early_ends_closed_early(span_capture: SpanCapture) -> None:
    body, _ = _recording(STREAM)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(STREAM) as server:
        stream = _client(server).messages.with_raw_response.create(**body).parse()
        next(iter(stream))
        stream.close()
    attributes = dict(_only_span(span_capture).attributes or {})
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_CLOSED_EARLY
    assert attributes[sc.HP_STREAM_CHUNKS] == 1


def test_raw_response_never_parsed_ends_at_collection(span_capture: SpanCapture) -> None:
    body, _ = _recording(CREATE)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(CREATE) as server:
        raw = _client(server).messages.with_raw_response.create(**body)
        assert raw.status_code == 200
        assert span_capture.spans() == []
        del raw
        gc.collect()
    attributes = dict(_only_span(span_capture).attributes or {})
    assert attributes[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT  # never read: nothing invented
    assert sc.GEN_AI_RESPONSE_ID not in attributes


def test_raw_stream_never_parsed_ends_at_collection(span_capture: SpanCapture) -> None:
    body, _ = _recording(STREAM)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(STREAM) as server:
        raw = _client(server).messages.with_raw_response.create(**body)
        raw.http_response.close()
        del raw
        gc.collect()
    assert sc.GEN_AI_RESPONSE_ID not in dict(_only_span(span_capture).attributes or {})


def test_streaming_response_is_finished_by_parse_inside_with(span_capture: SpanCapture) -> None:
    body, recorded = _recording(CREATE)
    with ReplayServer(CREATE) as server, _client(server).messages.with_streaming_response.create(**body) as plain:
        plain_type, plain_message = type(plain), plain.parse()
    span_capture.instrument(AnthropicInstrumentor())
    with (
        ReplayServer(CREATE) as server,
        _client(server).messages.with_streaming_response.create(**body) as response,
    ):
        assert type(response) is plain_type
        assert span_capture.spans() == []
        message = response.parse()
    assert message == plain_message
    _assert_response_recorded(_only_span(span_capture), recorded)


def test_streaming_response_left_unread_ends_at_close(span_capture: SpanCapture) -> None:
    body, _ = _recording(CREATE)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(CREATE) as server:
        with _client(server).messages.with_streaming_response.create(**body) as response:
            assert response.status_code == 200
        span = _only_span(span_capture)  # ended by the close of leaving ``with``, not by collection
    assert sc.GEN_AI_RESPONSE_ID not in dict(span.attributes or {})


def test_streaming_response_with_stream_drained(span_capture: SpanCapture) -> None:
    body, recorded = _recording(STREAM)
    span_capture.instrument(AnthropicInstrumentor())
    with (
        ReplayServer(STREAM) as server,
        _client(server).messages.with_streaming_response.create(**body) as response,
    ):
        events = list(response.parse())
    assert len(events) == recorded.events
    span = _only_span(span_capture)
    _assert_response_recorded(span, recorded)
    assert dict(span.attributes or {})[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED


async def test_async_raw_response_with_stream_drained(span_capture: SpanCapture) -> None:
    body, recorded = _recording(ASYNC_STREAM)
    with ReplayServer(ASYNC_STREAM) as server:
        plain_raw = await _async_client(server).messages.with_raw_response.create(**body)
        plain_events = [event async for event in await _parse(plain_raw)]
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(ASYNC_STREAM) as server:
        raw = await _async_client(server).messages.with_raw_response.create(**body)
        assert type(raw) is type(plain_raw)
        stream = await _parse(raw)
        assert type(stream) is anthropic.AsyncStream
        events = [event async for event in stream]
    assert events == plain_events
    span = _only_span(span_capture)
    _assert_response_recorded(span, recorded)
    assert dict(span.attributes or {})[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED


async def test_async_raw_response_parsed(span_capture: SpanCapture) -> None:
    path = cassette_path("anthropic", "test_messages__test_async_anthropic_message_create_legacy")
    body, recorded = _recording(path)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(path) as server:
        raw = await _async_client(server).messages.with_raw_response.create(**body)
        assert span_capture.spans() == []
        message = await _parse(raw)
    assert message.id == recorded.id
    _assert_response_recorded(_only_span(span_capture), recorded)


def test_beta_raw_response_is_traced_once(span_capture: SpanCapture) -> None:
    body, recorded = _recording(CREATE)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(CREATE) as server:
        try:
            raw = _client(server).beta.messages.with_raw_response.create(**body)
        except anthropic.InternalServerError:
            if any(request.query for request in server.requests):
                pytest.skip("this release sends ?beta=true, which the recording has not")
            raise
        raw.parse()
    _assert_response_recorded(_only_span(span_capture), recorded)


# --- a body that cannot be parsed (issue 10): the span ends at the failed parse(), not at collection -------
def _unparseable() -> Any:
    [interaction] = load_cassette(CREATE)
    return Mutation(INVALID_JSON, 0, invalid_text='{"id": "msg_').apply(interaction)


def _assert_failed_at_parse(capture: SpanCapture, raised: BaseException) -> None:
    span = _only_span(capture)
    cls = type(raised)
    assert span.status.status_code.name == "ERROR"
    assert (span.attributes or {})[sc.ERROR_TYPE] == f"{cls.__module__}.{cls.__qualname__}"
    assert sc.GEN_AI_RESPONSE_ID not in (span.attributes or {})


def test_raw_response_whose_parse_raises_ends_its_span_at_once(span_capture: SpanCapture) -> None:
    body, _ = _recording(CREATE)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(CREATE, interactions=[_unparseable()]) as server:
        raw = _client(server).messages.with_raw_response.create(**body)
        with pytest.raises(ValueError) as raised:  # json.JSONDecodeError
            raw.parse()
        _assert_failed_at_parse(span_capture, raised.value)  # raw is still alive: no collection needed


async def test_async_raw_response_whose_parse_raises_ends_its_span_at_once(span_capture: SpanCapture) -> None:
    body, _ = _recording(CREATE)
    span_capture.instrument(AnthropicInstrumentor())
    with ReplayServer(CREATE, interactions=[_unparseable()]) as server:
        raw = await _async_client(server).messages.with_raw_response.create(**body)
        with pytest.raises(ValueError) as raised:
            await raw.parse()
        _assert_failed_at_parse(span_capture, raised.value)
