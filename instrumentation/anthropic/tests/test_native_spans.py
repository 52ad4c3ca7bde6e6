"""anthropic >= 2 traces its own API calls: with our adapter on, one call still gives one inference span.

The SDK's tracing is switched on per client (its ``open_telemetry`` option with the capture's provider),
never through the process-global provider.
"""

from __future__ import annotations

from typing import Any

import anthropic
import anthropic._base_client as base_client
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_path, load_cassette, recorded_request_json

from ._recorded import recorded_message

pytestmark = pytest.mark.skipif(
    not hasattr(base_client, "start_api_call_span"), reason="this anthropic release has no tracing of its own"
)

API_KEY = "sk-ant-replay-secret-7f3a"
CREATE = cassette_path("anthropic", "test_messages__test_anthropic_message_create_legacy")
STREAM = cassette_path("anthropic", "test_messages__test_async_anthropic_message_streaming_legacy")
OUR_SCOPE = "huggingplace_instrumentation_anthropic"


def _traced_client(server: ReplayServer, capture: SpanCapture, cls: Any = anthropic.Anthropic) -> Any:
    return cls(api_key=API_KEY, base_url=server.base_url, max_retries=0,
               open_telemetry={"tracer_provider": capture.tracer_provider})


def _inference_spans(capture: SpanCapture) -> list[Any]:
    return [s for s in capture.spans() if sc.GEN_AI_OPERATION_NAME in (s.attributes or {})]


def _create(capture: SpanCapture) -> None:
    [interaction] = load_cassette(CREATE)
    with ReplayServer(CREATE) as server:
        message = _traced_client(server, capture).messages.create(**recorded_request_json(interaction))
    assert message.id == recorded_message(interaction).id


def test_the_sdks_span_is_there_without_our_adapter(span_capture: SpanCapture) -> None:
    _create(span_capture)
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name != OUR_SCOPE  # the premise: the SDK traces this call itself


def test_one_call_gives_one_inference_span_and_uninstrument_restores_the_sdks(span_capture: SpanCapture) -> None:
    original = base_client.start_api_call_span
    with span_capture.instrumented(AnthropicInstrumentor()):
        assert base_client.start_api_call_span is not original
        _create(span_capture)
        [span] = _inference_spans(span_capture)
        assert span.instrumentation_scope.name == OUR_SCOPE
        assert len(span_capture.spans()) == 1
    assert base_client.start_api_call_span is original
    span_capture.clear()
    _create(span_capture)
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name != OUR_SCOPE


def test_raw_stream_and_async_calls_give_one_span_each(span_capture: SpanCapture) -> None:
    import asyncio

    [interaction] = load_cassette(STREAM)
    body = recorded_request_json(interaction)

    async def run() -> int:
        with ReplayServer(STREAM) as server:
            client = _traced_client(server, span_capture, anthropic.AsyncAnthropic)
            raw = await client.messages.with_raw_response.create(**body)
            return len([event async for event in await raw.parse()])

    span_capture.instrument(AnthropicInstrumentor())
    assert asyncio.run(run()) == recorded_message(interaction).events
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name == OUR_SCOPE
    assert len(span_capture.spans()) == 1


def test_the_sdks_span_stays_for_calls_we_do_not_trace(span_capture: SpanCapture) -> None:
    from opentelemetry import context

    span_capture.instrument(AnthropicInstrumentor())
    # Our adapter suppressed for this call: only the SDK's own span may (and must) remain.
    token = context.attach(context.set_value(context._SUPPRESS_INSTRUMENTATION_KEY, True))
    try:
        _create(span_capture)
    finally:
        context.detach(token)
    [span] = _inference_spans(span_capture)
    assert span.instrumentation_scope.name != OUR_SCOPE
