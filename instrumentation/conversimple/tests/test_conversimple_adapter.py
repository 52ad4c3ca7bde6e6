"""The Conversimple adapter, driven through the real ``conversimple`` agent against the fake platform."""

from __future__ import annotations

import asyncio
import gc
import json
import types
from collections.abc import Callable
from typing import Any

import pytest
from conversimple import ConversimpleAgent, tool, tool_async
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, assert_no_secret_in_spans

from .conversimple_fake import TEST_API_KEY

CONVERSATION = "conversimple.conversation"
MAX_EVENTS_PER_CONVERSATION = 128  # the adapter's documented bound


class WeatherAgent(ConversimpleAgent):
    """A user's agent: one tool that answers, one that fails, one that never finishes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ended = asyncio.Event()
        self.connection_events: list[str] = []
        self.connection_changed = asyncio.Event()
        self.on_conversation_ended(lambda conversation_id: self.ended.set())

    @tool("Current weather for a city")
    def get_weather(self, city: str) -> dict[str, Any]:
        return {"city": city, "temperature_c": 21}

    @tool_async("Always fails")
    async def explode(self, reason: str) -> dict[str, Any]:
        raise KeyError(reason)

    @tool_async("Never finishes")
    async def hang(self) -> dict[str, Any]:
        await asyncio.Event().wait()
        return {}

    async def _handle_connection_event(self, event: str, data: Any = None) -> None:
        await super()._handle_connection_event(event, data)
        self.connection_events.append(event)
        self.connection_changed.set()

    async def wait_for_connection_event(self, event: str, count: int = 1) -> None:
        while self.connection_events.count(event) < count:
            self.connection_changed.clear()
            await asyncio.wait_for(self.connection_changed.wait(), 10)


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def events(span: ReadableSpan, name: str) -> list[dict[str, Any]]:
    return [dict(e.attributes or {}) for e in span.events if e.name == name]


async def start_conversation(fake: Any, agent: Any, conversation_id: str = "conv-1") -> Any:
    await agent.start()
    channel = await fake.next_channel()
    await channel.push("conversation_lifecycle", {"event": "conversation_started", "conversation_id": conversation_id})
    await channel.expect("register_conversation_tools")
    return channel


async def end_conversation(channel: Any, agent: Any, conversation_id: str = "conv-1") -> None:
    await channel.push("conversation_lifecycle", {"event": "conversation_ended", "conversation_id": conversation_id})
    await asyncio.wait_for(agent.ended.wait(), 10)
    await agent.stop()


async def call_tool(channel: Any, call_id: str, tool_name: str | None, arguments: dict[str, Any],
                    answer: str = "tool_call_response", **extra: Any) -> dict[str, Any]:
    payload = {"call_id": call_id, "arguments": arguments, **extra}
    if tool_name is not None:
        payload["tool_name"] = tool_name
    await channel.push("tool_call_request", payload)
    return await channel.expect(answer)


# --- conversations and tool calls --------------------------------------------------------------------------
async def test_conversation_and_tool_spans(instrumented: Any, fake: Any, make_agent: Callable[..., Any],
                                           span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    response = await call_tool(channel, "call-1", "get_weather", {"city": "Paris"})
    await end_conversation(channel, agent)

    assert response["result"] == {"city": "Paris", "temperature_c": 21}  # the tool's answer, unchanged
    conversation = span_capture.only_span(CONVERSATION)
    attrs = attributes(conversation)
    assert attrs[sc.SESSION_ID] == "conv-1"
    assert attrs[sc.GEN_AI_CONVERSATION_ID] == "conv-1"
    assert attrs[sc.HP_CONVERSIMPLE_CONVERSATION_ID] == "conv-1"
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "conversimple"
    assert attrs[sc.HP_CONVERSIMPLE_END_REASON] == "conversation_ended"
    assert attrs[sc.HP_CONVERSIMPLE_TOOL_CALLS] == 1
    assert conversation.status.status_code is StatusCode.UNSET

    tool_span = span_capture.only_span("execute_tool get_weather")
    tool_attrs = attributes(tool_span)
    assert tool_span.parent is not None and tool_span.parent.span_id == conversation.context.span_id
    assert tool_span.kind is SpanKind.INTERNAL
    assert tool_attrs[sc.GEN_AI_OPERATION_NAME] == sc.OP_EXECUTE_TOOL
    assert tool_attrs[sc.GEN_AI_TOOL_NAME] == "get_weather"
    assert tool_attrs[sc.GEN_AI_TOOL_CALL_ID] == "call-1"
    assert tool_attrs[sc.GEN_AI_CONVERSATION_ID] == "conv-1"
    assert tool_attrs[sc.HP_CONVERSIMPLE_TOOL_REPLAYED] is False
    assert sc.GEN_AI_TOOL_CALL_ARGUMENTS not in tool_attrs and sc.GEN_AI_TOOL_CALL_RESULT not in tool_attrs
    assert "Paris" not in str(tool_attrs)
    assert tool_span.status.status_code is StatusCode.UNSET
    assert tool_span.start_time is not None and tool_span.end_time is not None
    assert conversation.start_time is not None and conversation.end_time is not None
    assert conversation.start_time <= tool_span.start_time <= tool_span.end_time <= conversation.end_time


@pytest.mark.parametrize("capture_content", [True])
async def test_tool_arguments_and_result_under_content_capture(
        instrumented: Any, fake: Any, make_agent: Callable[..., Any], span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    response = await call_tool(channel, "call-1", "get_weather", {"city": "Paris"})
    await end_conversation(channel, agent)

    attrs = attributes(span_capture.only_span("execute_tool get_weather"))
    assert json.loads(attrs[sc.GEN_AI_TOOL_CALL_ARGUMENTS]) == {"city": "Paris"}
    assert json.loads(attrs[sc.GEN_AI_TOOL_CALL_RESULT]) == response["result"]


async def test_tool_exception(instrumented: Any, fake: Any, make_agent: Callable[..., Any],
                              span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    answer = await call_tool(channel, "call-2", "explode", {"reason": "no luck"}, answer="tool_call_error")
    await end_conversation(channel, agent)

    assert answer["error"]["message"] == "'no luck'"  # what the SDK sent is unchanged
    span = span_capture.only_span("execute_tool explode")
    assert attributes(span)[sc.ERROR_TYPE] == "KeyError"
    assert span.status.status_code is StatusCode.ERROR
    (exception,) = events(span, sc.EXCEPTION_EVENT)
    assert exception[sc.EXCEPTION_TYPE] == "KeyError"
    assert span_capture.only_span(CONVERSATION).status.status_code is StatusCode.UNSET


async def test_tool_failures_that_never_reach_a_tool(instrumented: Any, fake: Any,
                                                     make_agent: Callable[..., Any],
                                                     span_capture: SpanCapture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import conversimple.agent

    # A fake clock for the SDK's tool timer: its asyncio.wait_for deadline has always passed already.
    expired = types.SimpleNamespace(**vars(asyncio))
    expired.wait_for = lambda awaitable, timeout: asyncio.wait_for(awaitable, 0)
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    await call_tool(channel, "call-3", "no_such_tool", {}, answer="tool_call_error")
    await call_tool(channel, "call-4", None, {}, answer="tool_call_error")
    monkeypatch.setattr(conversimple.agent, "asyncio", expired)
    timed_out = await call_tool(channel, "call-5", "hang", {}, answer="tool_call_error", timeout_seconds=5)
    monkeypatch.undo()
    await end_conversation(channel, agent)

    assert timed_out["error"]["message"] == "Tool execution timed out"
    assert attributes(span_capture.only_span("execute_tool no_such_tool"))[sc.ERROR_TYPE] == "ValueError"
    assert attributes(span_capture.only_span("execute_tool"))[sc.ERROR_TYPE] == "invalid_request"
    hang = attributes(span_capture.only_span("execute_tool hang"))
    assert hang[sc.ERROR_TYPE] == sc.ERROR_TIMEOUT
    assert hang[sc.HP_CONVERSIMPLE_TOOL_TIMEOUT] == 5.0
    assert attributes(span_capture.only_span(CONVERSATION))[sc.HP_CONVERSIMPLE_TOOL_CALLS] == 3


async def test_replayed_tool_call(instrumented: Any, fake: Any, make_agent: Callable[..., Any],
                                  span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    first = await call_tool(channel, "call-1", "get_weather", {"city": "Oslo"})
    again = await call_tool(channel, "call-1", "get_weather", {"city": "Oslo"})
    await end_conversation(channel, agent)

    assert first == again
    spans = span_capture.spans("execute_tool get_weather")
    assert [attributes(s)[sc.HP_CONVERSIMPLE_TOOL_REPLAYED] for s in spans] == [False, True]


async def test_agent_stop_ends_the_open_conversation(instrumented: Any, fake: Any,
                                                     make_agent: Callable[..., Any],
                                                     span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    await start_conversation(fake, agent)
    await agent.stop()

    attrs = attributes(span_capture.only_span(CONVERSATION))
    assert attrs[sc.HP_CONVERSIMPLE_END_REASON] == "agent_stopped"
    assert attrs[sc.HP_CONVERSIMPLE_TOOL_CALLS] == 0


async def test_dispatcher_style_start_opens_the_conversation(instrumented: Any, fake: Any,
                                                             make_agent: Callable[..., Any],
                                                             span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    await agent.start(conversation_id="conv-d")
    channel = await fake.next_channel()
    assert (await channel.expect("register_conversation_tools"))["conversation_id"] == "conv-d"
    await call_tool(channel, "call-1", "get_weather", {"city": "Rome"})
    await agent.stop()

    conversation = span_capture.only_span(CONVERSATION)
    assert attributes(conversation)[sc.SESSION_ID] == "conv-d"
    tool_span = span_capture.only_span("execute_tool get_weather")
    assert tool_span.parent is not None and tool_span.parent.span_id == conversation.context.span_id


async def test_conversation_ready_opens_the_conversation(instrumented: Any, fake: Any,
                                                        make_agent: Callable[..., Any],
                                                        span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    await agent.start()
    channel = await fake.next_channel()
    await channel.push("conversation_ready", {"conversation_id": "conv-r", "customer_id": "cust-1"})
    await channel.expect("register_conversation_tools")
    response = await call_tool(channel, "call-1", "get_weather", {"city": "Lima"})
    await end_conversation(channel, agent, "conv-r")

    assert response["conversation_id"] == "conv-r"  # the SDK adopted the ready conversation
    conversation = span_capture.only_span(CONVERSATION)
    assert attributes(conversation)[sc.SESSION_ID] == "conv-r"
    assert attributes(conversation)[sc.HP_CONVERSIMPLE_END_REASON] == "conversation_ended"
    assert span_capture.only_span("execute_tool get_weather").parent.span_id == conversation.context.span_id  # type: ignore[union-attr]


async def test_stop_cancels_a_running_tool(instrumented: Any, fake: Any, make_agent: Callable[..., Any],
                                           span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    tool_started = asyncio.Event()
    agent.on_tool_called(lambda call: tool_started.set())
    channel = await start_conversation(fake, agent)
    await channel.push("tool_call_request", {"call_id": "call-h", "tool_name": "hang", "arguments": {}})
    await asyncio.wait_for(tool_started.wait(), 10)
    await agent.stop()

    tool_span = span_capture.only_span("execute_tool hang")
    assert attributes(tool_span)[sc.ERROR_TYPE] == sc.ERROR_CANCELLED
    assert attributes(span_capture.only_span(CONVERSATION))[sc.HP_CONVERSIMPLE_END_REASON] == "agent_stopped"


async def test_uninstrument_ends_open_conversations(span_capture: SpanCapture, fake: Any,
                                                    make_agent: Callable[..., Any]) -> None:
    from huggingplace_instrumentation_conversimple import ConversimpleInstrumentor

    instrumentor = ConversimpleInstrumentor()
    instrumentor.instrument(tracer_provider=span_capture.tracer_provider)
    agent = make_agent(WeatherAgent)
    await start_conversation(fake, agent)
    instrumentor.uninstrument()

    conversation = span_capture.only_span(CONVERSATION)
    assert attributes(conversation)[sc.HP_CONVERSIMPLE_END_REASON] == "uninstrumented"
    await agent.stop()
    assert len(span_capture.spans()) == 1


async def test_abandoned_agent_ends_its_conversation(instrumented: Any, fake: Any,
                                                     make_agent: Callable[..., Any],
                                                     span_capture: SpanCapture) -> None:
    agent = WeatherAgent(api_key=TEST_API_KEY, customer_id="cust-1", platform_url=fake.url,
                         max_reconnect_attempts=1)
    await start_conversation(fake, agent)
    await agent.connection.disconnect()  # the user lets go of the agent without stop()
    del agent
    gc.collect()

    conversation = span_capture.only_span(CONVERSATION)
    assert attributes(conversation)[sc.HP_CONVERSIMPLE_END_REASON] == "abandoned"
    assert attributes(conversation)[sc.ERROR_TYPE] == sc.ERROR_ABANDONED


# --- connection life and platform errors --------------------------------------------------------------------
async def test_dropped_connection_reconnects_as_events(instrumented: Any, fake: Any,
                                                       make_agent: Callable[..., Any],
                                                       span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    await channel.drop()
    second = await fake.next_channel()
    assert (await second.expect("register_conversation_tools"))["conversation_id"] == "conv-1"
    await call_tool(second, "call-1", "get_weather", {"city": "Paris"})
    await end_conversation(second, agent)

    conversation = span_capture.only_span(CONVERSATION)
    assert events(conversation, sc.CONVERSIMPLE_EVENT_RECONNECT) == [
        {sc.HP_CONVERSIMPLE_RECONNECT_ATTEMPT: 1, sc.HP_CONVERSIMPLE_RECONNECT_LIMIT: 2}]
    states = [e[sc.HP_CONVERSIMPLE_CONNECTION_STATE] for e in events(conversation, sc.CONVERSIMPLE_EVENT_CONNECTION)]
    assert states == ["connected"]
    assert span_capture.only_span("execute_tool get_weather").parent.span_id == conversation.context.span_id  # type: ignore[union-attr]


async def test_reconnect_gives_up(instrumented: Any, fake: Any, make_agent: Callable[..., Any],
                                  span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent, max_reconnect_attempts=2)
    channel = await start_conversation(fake, agent)
    fake.refuse_handshake_status = 503  # transient: the SDK retries up to its limit
    await channel.drop()
    await agent.wait_for_connection_event("error")
    await agent.stop()

    conversation = span_capture.only_span(CONVERSATION)
    attempts = [e[sc.HP_CONVERSIMPLE_RECONNECT_ATTEMPT] for e in events(conversation, sc.CONVERSIMPLE_EVENT_RECONNECT)]
    assert attempts == [1, 2]
    assert fake.join_attempts == 2  # the first join, one refused handshake; at its limit the SDK stops
    (error,) = [e for e in events(conversation, sc.CONVERSIMPLE_EVENT_CONNECTION)
                if e[sc.HP_CONVERSIMPLE_CONNECTION_STATE] == "error"]
    assert error[sc.ERROR_TYPE] == "Exception"
    assert error[sc.HP_CONVERSIMPLE_ERROR_MESSAGE] == "Retry limit exceeded"


async def test_unbounded_reconnects_keep_the_span_bounded(instrumented: Any, fake: Any,
                                                          make_agent: Callable[..., Any],
                                                          span_capture: SpanCapture) -> None:
    # conversimple 0.2.4 resets its attempt count whenever the socket opens, so a channel join that keeps
    # failing is retried until Python's recursion limit: the conversation span must stay bounded.
    agent = make_agent(WeatherAgent, max_reconnect_attempts=2)
    channel = await start_conversation(fake, agent)
    fake.join_error_reason = "server_busy"
    await channel.drop()
    await fake.wait_for_joins(MAX_EVENTS_PER_CONVERSATION + 10)
    fake.join_error_reason = None  # the platform recovers: the next join succeeds
    await agent.wait_for_connection_event("connected", count=2)
    await agent.stop()

    conversation = span_capture.only_span(CONVERSATION)
    assert len(conversation.events) == MAX_EVENTS_PER_CONVERSATION
    assert attributes(conversation)[sc.HP_CONVERSIMPLE_EVENTS_DROPPED] > 0


async def test_permanent_error_and_platform_errors(instrumented: Any, fake: Any,
                                                   make_agent: Callable[..., Any],
                                                   span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    await channel.push("error_notification", {"error_type": "llm_timeout", "error_message": "model timed out"})
    await channel.push("phx_reply", {"status": "error", "response": {"reason": "unmatched topic"}})
    fake.join_error_reason = "customer_suspended"  # permanent: the circuit breaker opens
    await channel.drop()
    await agent.wait_for_connection_event("permanent_error")
    await agent.stop()

    conversation = span_capture.only_span(CONVERSATION)
    assert events(conversation, sc.CONVERSIMPLE_EVENT_PLATFORM_ERROR) == [
        {sc.HP_CONVERSIMPLE_ERROR_KIND: "llm_timeout", sc.HP_CONVERSIMPLE_ERROR_MESSAGE: "model timed out"}]
    reply_errors = events(conversation, sc.CONVERSIMPLE_EVENT_REPLY_ERROR)
    assert reply_errors == [{sc.HP_CONVERSIMPLE_ERROR_CODE: "unmatched topic"}]
    (permanent,) = [e for e in events(conversation, sc.CONVERSIMPLE_EVENT_CONNECTION)
                    if e[sc.HP_CONVERSIMPLE_CONNECTION_STATE] == "permanent_error"]
    assert permanent[sc.HP_CONVERSIMPLE_ERROR_CODE] == "CUSTOMER_SUSPENDED"


# --- contract: parenting, suppression, uninstrument, guard, credentials ------------------------------------
async def test_conversation_nests_under_the_callers_span(instrumented: Any, fake: Any,
                                                         make_agent: Callable[..., Any],
                                                         span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    with span_capture.tracer_provider.get_tracer("user").start_as_current_span("user session") as user_span:
        channel = await start_conversation(fake, agent)
    await end_conversation(channel, agent)

    conversation = span_capture.only_span(CONVERSATION)
    assert conversation.parent is not None
    assert conversation.parent.span_id == user_span.get_span_context().span_id


async def test_session_and_trace_step_around_an_agent(fake: Any, make_agent: Callable[..., Any],
                                                      span_capture: SpanCapture) -> None:
    import huggingplace_sdk as hp

    agent = make_agent(WeatherAgent)
    with (span_capture.instrumented_by_name("conversimple"), hp.session("user-session", user_id="user-1"),
          hp.trace_step("support call")):
        channel = await start_conversation(fake, agent)
        await call_tool(channel, "call-1", "get_weather", {"city": "Paris"})
        await end_conversation(channel, agent)

    step = span_capture.only_span("support call")
    conversation = span_capture.only_span(CONVERSATION)
    tool_span = span_capture.only_span("execute_tool get_weather")
    assert conversation.parent is not None and conversation.parent.span_id == step.context.span_id
    assert tool_span.parent is not None and tool_span.parent.span_id == conversation.context.span_id
    for span in (conversation, tool_span):
        attrs = attributes(span)
        assert attrs[sc.SESSION_ID] == "user-session"  # session() wins over the conversation id ...
        assert attrs[sc.USER_ID] == "user-1"
        assert attrs[sc.HP_CONVERSIMPLE_CONVERSATION_ID] == "conv-1"  # ... which is kept beside it


async def test_suppressed_instrumentation_records_nothing(instrumented: Any, fake: Any,
                                                          make_agent: Callable[..., Any],
                                                          span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    with suppress_instrumentation():  # the agent's background tasks inherit this context
        channel = await start_conversation(fake, agent)
    response = await call_tool(channel, "call-1", "get_weather", {"city": "Paris"})
    await end_conversation(channel, agent)

    assert response["result"]["city"] == "Paris"
    assert span_capture.spans() == []


async def test_uninstrument_restores_the_sdk(span_capture: SpanCapture, fake: Any,
                                             make_agent: Callable[..., Any]) -> None:
    from conversimple.connection import WebSocketConnection
    from conversimple.tools import ToolRegistry
    from huggingplace_instrumentation_conversimple import ConversimpleInstrumentor

    names = ("_handle_conversation_lifecycle", "_handle_tool_call_request", "stop", "start")
    originals = [vars(ConversimpleAgent)[n] for n in names] + [
        vars(ToolRegistry)["execute_tool"], vars(WebSocketConnection)["_attempt_reconnection"]]
    instrumentor = ConversimpleInstrumentor()
    instrumentor.instrument(tracer_provider=span_capture.tracer_provider)
    assert vars(ConversimpleAgent)["stop"] is not originals[2]
    instrumentor.uninstrument()

    assert [vars(ConversimpleAgent)[n] for n in names] + [
        vars(ToolRegistry)["execute_tool"], vars(WebSocketConnection)["_attempt_reconnection"]] == originals
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    await end_conversation(channel, agent)
    assert span_capture.spans() == []


async def test_our_failure_never_breaks_a_tool_call(instrumented: Any, fake: Any,
                                                    make_agent: Callable[..., Any],
                                                    span_capture: SpanCapture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_conversimple import _tools

    from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors

    def broken(*args: Any) -> None:
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(_tools, "_start", broken)
    before = internal_error_counts().get("conversimple.tool.start", 0)
    agent = make_agent(WeatherAgent)
    with tolerate_internal_errors():
        channel = await start_conversation(fake, agent)
        response = await call_tool(channel, "call-1", "get_weather", {"city": "Paris"})
        await end_conversation(channel, agent)

    assert response["result"] == {"city": "Paris", "temperature_c": 21}
    assert internal_error_counts()["conversimple.tool.start"] == before + 1
    assert span_capture.spans("execute_tool get_weather") == []
    assert len(span_capture.spans(CONVERSATION)) == 1


@pytest.mark.parametrize("capture_content", [True])
async def test_no_credential_in_any_span(instrumented: Any, fake: Any, make_agent: Callable[..., Any],
                                         span_capture: SpanCapture) -> None:
    agent = make_agent(WeatherAgent)
    channel = await start_conversation(fake, agent)
    await call_tool(channel, "call-1", "get_weather", {"city": "Paris"})
    await call_tool(channel, "call-2", "explode", {"reason": "boom"}, answer="tool_call_error")
    # The platform now refuses the key and quotes it back: the SDK's error message carries the key.
    fake.api_key = "rotated-key"
    fake.echo_token_on_refusal = True
    await channel.drop()
    await agent.wait_for_connection_event("permanent_error")
    await agent.stop()

    spans = span_capture.spans()
    conversation = span_capture.only_span(CONVERSATION)
    (permanent,) = [e for e in events(conversation, sc.CONVERSIMPLE_EVENT_CONNECTION)
                    if e[sc.HP_CONVERSIMPLE_CONNECTION_STATE] == "permanent_error"]
    assert "invalid_api_key" in permanent[sc.HP_CONVERSIMPLE_ERROR_MESSAGE]
    assert_no_secret_in_spans(spans, [TEST_API_KEY])
