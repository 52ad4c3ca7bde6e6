"""The TBuddy adapter, driven through the real ``TBuddy_SDK`` client against the local fake platform."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from TBuddy_SDK import TravelPlanResult
from TBuddy_SDK.exceptions import (
    AuthenticationError,
    RetryExhaustedError,
    SessionNotFoundError,
    ValidationError,
)
from TBuddy_SDK.models import SessionMemory, SessionStatus

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, assert_no_secret_in_spans

from .tbuddy_fake import TEST_API_KEY, FakeSession, agent_updates

QUERY = "Plan a 3-day trip to Paris in July"


def attributes_of(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


async def run_stream(client: Any, session_id: str, query: str = QUERY) -> tuple[Any, list[Any]]:
    received: list[Any] = []

    async def on_update(update: Any) -> None:
        received.append(update)

    result = await client.submit_query(query, stream_callback=on_update)
    await client.websocket.wait_for_completion(session_id, timeout=10)
    return result, received


# --- submit_query ------------------------------------------------------------------------------------------
async def test_submit_query_span(instrumented: Any, fake: Any, client: Any,
                                 span_capture: SpanCapture) -> None:
    result = await client.submit_query(QUERY, user_id="user-7")

    assert type(result) is TravelPlanResult
    session = fake.sessions[result.session_id]
    assert result.destination == session.destination
    span = span_capture.only_span("invoke_agent tbuddy")
    attrs = span.attributes or {}
    assert span.kind is SpanKind.CLIENT
    assert attrs[sc.GEN_AI_OPERATION_NAME] == sc.OP_INVOKE_AGENT
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "tbuddy"
    assert attrs[sc.GEN_AI_AGENT_NAME] == "tbuddy"
    assert attrs[sc.SESSION_ID] == session.session_id  # from the platform's plan response
    assert attrs[sc.HP_TBUDDY_SESSION_ID] == session.session_id
    assert attrs[sc.GEN_AI_CONVERSATION_ID] == session.session_id
    assert attrs[sc.USER_ID] == "user-7"
    assert attrs[sc.HP_TBUDDY_FOLLOW_UP] is False
    assert attrs[sc.HP_TBUDDY_STATUS] == session.status
    assert attrs[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert attrs[sc.SERVER_PORT] == fake.port
    assert sc.GEN_AI_INPUT_MESSAGES not in attrs and sc.GEN_AI_OUTPUT_MESSAGES not in attrs
    assert QUERY not in str(dict(attrs))
    assert span.status.status_code is StatusCode.UNSET
    # The SDK's polling (get_status, get_result) runs inside the query: no second span for it.
    assert [s.name for s in span_capture.spans()] == ["invoke_agent tbuddy"]


@pytest.mark.parametrize("capture_content", [True])
async def test_query_and_answer_recorded_only_under_content_capture(
        instrumented: Any, fake: Any, client: Any, span_capture: SpanCapture) -> None:
    result = await client.submit_query(QUERY)

    attrs = span_capture.only_span("invoke_agent tbuddy").attributes or {}
    assert QUERY in str(attrs[sc.GEN_AI_INPUT_MESSAGES])
    expected_answer = fake.sessions[result.session_id].result()["messages"][0]
    assert expected_answer in str(attrs[sc.GEN_AI_OUTPUT_MESSAGES])


async def test_follow_up_query_keeps_the_session(instrumented: Any, fake: Any, client: Any,
                                                 span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-existing"))
    result = await client.submit_query("Change my budget to $2000", session_id="sess-existing")

    assert result.session_id == "sess-existing"
    attrs = span_capture.only_span("invoke_agent tbuddy").attributes or {}
    assert attrs[sc.HP_TBUDDY_FOLLOW_UP] is True
    assert attrs[sc.SESSION_ID] == "sess-existing"
    assert fake.calls[0].body["session_id"] == "sess-existing"


async def test_failed_session_status_recorded(instrumented: Any, fake: Any, client: Any,
                                              span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-fail", status="failed", errors=["weather agent down"]))
    result = await client.submit_query(QUERY, session_id="sess-fail")

    assert result.status == "failed"
    attrs = span_capture.only_span("invoke_agent tbuddy").attributes or {}
    assert attrs[sc.HP_TBUDDY_STATUS] == "failed"
    assert attrs[sc.HP_TBUDDY_ERROR_COUNT] == 1


async def test_cancelled_query_keeps_the_session_id_from_the_plan(instrumented: Any, fake: Any, client: Any,
                                                                  span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-slow", status="processing", progress=40))
    task = asyncio.create_task(client.submit_query(QUERY, session_id="sess-slow"))
    await fake.wait_for_call("GET", "/status")  # the SDK is now polling: cancel the caller
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    span = span_capture.only_span("invoke_agent tbuddy")
    attrs = span.attributes or {}
    assert attrs[sc.SESSION_ID] == "sess-slow"
    assert attrs[sc.HP_TBUDDY_STATUS] == "processing"  # what the plan response said
    assert attrs[sc.ERROR_TYPE] == sc.ERROR_CANCELLED
    assert span.status.status_code is StatusCode.ERROR


async def test_rejected_query(instrumented: Any, fake: Any, client: Any, span_capture: SpanCapture) -> None:
    fake.fail("POST", "plan", 400)
    with pytest.raises(ValidationError):
        await client.submit_query(QUERY)

    span = span_capture.only_span("invoke_agent tbuddy")
    assert (span.attributes or {})[sc.ERROR_TYPE] == "TBuddy_SDK.exceptions.ValidationError"
    assert sc.SESSION_ID not in (span.attributes or {})


# --- the session stream -------------------------------------------------------------------------------------
async def test_stream_spans_and_agent_children(instrumented: Any, fake: Any, client: Any,
                                               span_capture: SpanCapture) -> None:
    updates = agent_updates("sess-0001")
    fake.add_session(FakeSession("sess-0001", updates=updates))

    result, received = await run_stream(client, "sess-0001")

    assert result.session_id == "sess-0001"
    assert [(u.type, u.agent, u.progress_percent) for u in received] == [
        (u["type"], u["agent"], u["progress_percent"]) for u in updates]  # the callback saw everything
    query = span_capture.only_span("invoke_agent tbuddy")
    stream = span_capture.only_span("tbuddy.stream")
    assert stream.parent is not None and stream.parent.span_id == query.context.span_id
    stream_attrs = stream.attributes or {}
    assert stream_attrs[sc.SESSION_ID] == "sess-0001"
    assert stream_attrs[sc.HP_TBUDDY_UPDATE_COUNT] == len(updates)
    assert stream_attrs[sc.HP_TBUDDY_FINAL_UPDATE] == "completed"
    assert stream_attrs[sc.HP_TBUDDY_PROGRESS] == updates[-1]["progress_percent"]
    assert stream.status.status_code is StatusCode.UNSET

    for agent in ("weather", "itinerary"):
        span = span_capture.only_span(f"tbuddy.agent {agent}")
        assert span.parent is not None and span.parent.span_id == stream.context.span_id
        attrs = span.attributes or {}
        assert attrs[sc.GEN_AI_AGENT_NAME] == agent
        assert attrs[sc.HP_TBUDDY_AGENT_OUTCOME] == "completed"
        expected = [(u["type"], u["progress_percent"]) for u in updates if u["agent"] == agent]
        recorded = [((e.attributes or {})[sc.HP_TBUDDY_UPDATE_TYPE], (e.attributes or {})[sc.HP_TBUDDY_PROGRESS])
                    for e in span.events if e.name == sc.TBUDDY_EVENT_UPDATE]
        assert recorded == expected
    stream_events = [(e.attributes or {})[sc.HP_TBUDDY_UPDATE_TYPE] for e in stream.events]
    assert stream_events == [u["type"] for u in updates if u["agent"] is None]
    # Messages are content: absent without capture.
    assert all(sc.HP_TBUDDY_UPDATE_MESSAGE not in (e.attributes or {})
               for s in span_capture.spans() for e in s.events)


@pytest.mark.parametrize("capture_content", [True])
async def test_stream_messages_under_content_capture(instrumented: Any, fake: Any, client: Any,
                                                     span_capture: SpanCapture) -> None:
    updates = agent_updates("sess-0001")
    fake.add_session(FakeSession("sess-0001", updates=updates))
    await run_stream(client, "sess-0001")

    weather = span_capture.only_span("tbuddy.agent weather")
    messages = [(e.attributes or {})[sc.HP_TBUDDY_UPDATE_MESSAGE] for e in weather.events]
    assert messages == [u["message"] for u in updates if u["agent"] == "weather"]


async def test_agent_error_fails_agent_and_stream(instrumented: Any, fake: Any, client: Any,
                                                  span_capture: SpanCapture) -> None:
    failure = {"type": "error", "session_id": "sess-0001", "agent": "weather", "message": "Weather API down",
               "progress_percent": 30}
    updates = [*agent_updates("sess-0001")[:3], failure]
    fake.add_session(FakeSession("sess-0001", updates=updates, status="failed"))
    await run_stream(client, "sess-0001")

    weather = span_capture.only_span("tbuddy.agent weather")
    assert (weather.attributes or {})[sc.ERROR_TYPE] == "agent_error"
    assert (weather.attributes or {})[sc.HP_TBUDDY_AGENT_OUTCOME] == "failed"
    assert weather.status.status_code is StatusCode.ERROR
    itinerary = span_capture.only_span("tbuddy.agent itinerary")
    assert (itinerary.attributes or {})[sc.HP_TBUDDY_AGENT_OUTCOME] == "incomplete"
    stream = span_capture.only_span("tbuddy.stream")
    assert (stream.attributes or {})[sc.HP_TBUDDY_FINAL_UPDATE] == "error"
    assert stream.status.status_code is StatusCode.ERROR


async def test_dropped_stream_is_incomplete(instrumented: Any, fake: Any, client: Any,
                                            span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-0001", updates=agent_updates("sess-0001")))
    fake.drop_ws_after = 3  # connected, two agent starts, then the connection dies

    _, received = await run_stream(client, "sess-0001")

    assert len(received) == 3
    stream = span_capture.only_span("tbuddy.stream")
    attrs = stream.attributes or {}
    assert attrs[sc.ERROR_TYPE] == sc.ERROR_INCOMPLETE
    assert attrs[sc.HP_TBUDDY_UPDATE_COUNT] == 3
    assert sc.HP_TBUDDY_FINAL_UPDATE not in attrs
    for agent in ("weather", "itinerary"):
        assert (span_capture.only_span(f"tbuddy.agent {agent}").attributes or {})[
            sc.HP_TBUDDY_AGENT_OUTCOME] == "incomplete"


async def test_calls_from_the_stream_callback_are_traced(instrumented: Any, fake: Any, client: Any,
                                                         span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-0001", updates=agent_updates("sess-0001")))
    statuses: list[Any] = []

    async def on_update(update: Any) -> None:
        if update.type == "completed":
            statuses.append(await client.get_status("sess-0001"))

    await client.submit_query(QUERY, stream_callback=on_update)
    await client.websocket.wait_for_completion("sess-0001", timeout=10)

    assert len(statuses) == 1
    status_span = span_capture.only_span("tbuddy.get_status")
    stream = span_capture.only_span("tbuddy.stream")
    assert status_span.parent is not None and status_span.parent.span_id == stream.context.span_id


# --- session operations -------------------------------------------------------------------------------------
async def test_session_operation_spans(instrumented: Any, fake: Any, client: Any,
                                       span_capture: SpanCapture) -> None:
    session = fake.add_session(FakeSession("sess-ops", progress=100))

    status = await client.get_status("sess-ops")
    result = await client.get_result("sess-ops")
    memory = await client.get_session_memory("sess-ops")
    extended = await client.extend_session("sess-ops", hours=6)
    deleted = await client.delete_session("sess-ops")

    assert type(status) is SessionStatus and type(result) is TravelPlanResult
    assert type(memory) is SessionMemory and type(extended) is dict and type(deleted) is dict
    assert extended == {"session_id": "sess-ops", "extended_hours": 6}
    names = [s.name for s in span_capture.spans()]
    assert names == ["tbuddy.get_status", "tbuddy.get_result", "tbuddy.get_session_memory",
                     "tbuddy.extend_session", "tbuddy.delete_session"]
    for span in span_capture.spans():
        attrs = span.attributes or {}
        assert attrs[sc.SESSION_ID] == "sess-ops"
        assert attrs[sc.GEN_AI_PROVIDER_NAME] == "tbuddy"
        assert span.kind is SpanKind.CLIENT
        assert span.status.status_code is StatusCode.UNSET
    assert (span_capture.only_span("tbuddy.get_status").attributes or {})[sc.HP_TBUDDY_PROGRESS] == session.progress
    assert (span_capture.only_span("tbuddy.get_result").attributes or {})[sc.HP_TBUDDY_STATUS] == session.status
    assert (span_capture.only_span("tbuddy.get_session_memory").attributes or {})[
        sc.HP_TBUDDY_CONVERSATION_TURNS] == 2  # the fake's memory answer
    assert (span_capture.only_span("tbuddy.extend_session").attributes or {})[sc.HP_TBUDDY_EXTEND_HOURS] == 6


async def test_health_check_span(instrumented: Any, fake: Any, client: Any, span_capture: SpanCapture) -> None:
    health = await client.health_check()

    assert type(health).__name__ == "HealthStatus"
    attrs = attributes_of(span_capture.only_span("tbuddy.health_check"))
    assert attrs[sc.HP_TBUDDY_STATUS] == health.status == "healthy"  # the fake's answer
    assert sc.SESSION_ID not in attrs


async def test_sdk_exception_class_recorded_and_reraised(instrumented: Any, fake: Any, client: Any,
                                                         span_capture: SpanCapture) -> None:
    with pytest.raises(SessionNotFoundError) as raised:
        await client.get_result("sess-missing")

    assert "sess-missing" in str(raised.value)
    span = span_capture.only_span("tbuddy.get_result")
    assert (span.attributes or {})[sc.ERROR_TYPE] == "TBuddy_SDK.exceptions.SessionNotFoundError"
    assert span.status.status_code is StatusCode.ERROR


async def test_conversation_history_sdk_bug_passes_through(instrumented: Any, fake: Any, client: Any,
                                                           span_capture: SpanCapture) -> None:
    # tbuddy 2.0.0 builds ConversationHistory(**data) although its __init__ takes one dict: always a TypeError.
    fake.add_session(FakeSession("sess-h"))
    with pytest.raises(TypeError):
        await client.get_conversation_history("sess-h")

    span = span_capture.only_span("tbuddy.get_conversation_history")
    assert (span.attributes or {})[sc.ERROR_TYPE] == "TypeError"
    assert fake.calls[-1].path.endswith("/session/sess-h/history")


async def test_retries_are_span_events(instrumented: Any, fake: Any, client: Any,
                                       span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-r"))
    fake.fail("GET", "status", 503, 502)

    status = await client.get_status("sess-r")

    assert status.session_id == "sess-r"
    span = span_capture.only_span("tbuddy.get_status")
    retries = [e.attributes or {} for e in span.events if e.name == sc.TBUDDY_EVENT_RETRY]
    assert [(r[sc.HP_TBUDDY_RETRY_ATTEMPT], r[sc.HTTP_RESPONSE_STATUS_CODE]) for r in retries] == [(1, 503), (2, 502)]
    assert all(r[sc.HP_TBUDDY_RETRY_OPERATION] == "GET session/sess-r/status" for r in retries)
    assert all(r[sc.ERROR_TYPE] == "httpx.HTTPStatusError" for r in retries)
    assert span.status.status_code is StatusCode.UNSET
    assert len([c for c in fake.calls if c.path.endswith("/status")]) == 3


async def test_retries_exhausted(instrumented: Any, fake: Any, client: Any,
                                 span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-r"))
    fake.fail("GET", "status", 503, 503, 503, 503)

    with pytest.raises(RetryExhaustedError):
        await client.get_status("sess-r")

    span = span_capture.only_span("tbuddy.get_status")
    assert len([e for e in span.events if e.name == sc.TBUDDY_EVENT_RETRY]) == client.config.max_retries
    assert (span.attributes or {})[sc.ERROR_TYPE] == "TBuddy_SDK.exceptions.RetryExhaustedError"


async def test_retries_of_untraced_calls_annotate_nothing(instrumented: Any, fake: Any, client: Any,
                                                          span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-r"))
    fake.fail("GET", "status", 503)
    with span_capture.tracer_provider.get_tracer("user").start_as_current_span("user work"):
        await client.rest.get_session_status("sess-r")  # the SDK's internal client: not traced

    (user_span,) = span_capture.spans()
    assert user_span.name == "user work" and user_span.events == ()


# --- contract: parenting, suppression, uninstrument, credentials ------------------------------------------
async def test_session_and_trace_step_around_platform_calls(fake: Any, client: Any, span_capture: SpanCapture) -> None:
    import huggingplace_sdk as hp

    fake.add_session(FakeSession("sess-0001", updates=agent_updates("sess-0001")))
    with (span_capture.instrumented_by_name("tbuddy"), hp.session("user-session", user_id="user-1"),
          hp.trace_step("plan the trip")):
        await run_stream(client, "sess-0001")

    step = span_capture.only_span("plan the trip")
    query = span_capture.only_span("invoke_agent tbuddy")
    stream = span_capture.only_span("tbuddy.stream")
    assert query.parent is not None and query.parent.span_id == step.context.span_id
    assert stream.parent is not None and stream.parent.span_id == query.context.span_id
    for span in (query, stream, span_capture.only_span("tbuddy.agent weather")):
        attrs = attributes_of(span)
        assert attrs[sc.SESSION_ID] == "user-session"  # session() wins over the platform's id ...
        assert attrs[sc.USER_ID] == "user-1"
    for span in (query, stream):
        assert attributes_of(span)[sc.HP_TBUDDY_SESSION_ID] == "sess-0001"  # ... which is kept beside it


async def test_spans_nest_under_the_callers_span(instrumented: Any, fake: Any, client: Any,
                                                 span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-n"))
    with span_capture.tracer_provider.get_tracer("user").start_as_current_span("user step") as step:
        await client.get_status("sess-n")
    span = span_capture.only_span("tbuddy.get_status")
    assert span.parent is not None and span.parent.span_id == step.get_span_context().span_id


async def test_suppressed_instrumentation_records_nothing(instrumented: Any, fake: Any, client: Any,
                                                          span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-s"))
    with suppress_instrumentation():
        status = await client.get_status("sess-s")
    assert status.session_id == "sess-s"
    assert span_capture.spans() == []


async def test_uninstrument_restores_the_sdk(span_capture: SpanCapture, fake: Any, client: Any) -> None:
    from huggingplace_instrumentation_tbuddy import TBuddyInstrumentor
    from TBuddy_SDK.client import TBuddyClient
    from TBuddy_SDK.retry import RetryHandler
    from TBuddy_SDK.websocket_client import WebSocketClient

    originals = (vars(TBuddyClient)["submit_query"], vars(RetryHandler)["execute"],
                 vars(WebSocketClient)["connect"])
    instrumentor = TBuddyInstrumentor()
    instrumentor.instrument(tracer_provider=span_capture.tracer_provider)
    assert vars(TBuddyClient)["submit_query"] is not originals[0]
    instrumentor.uninstrument()

    assert (vars(TBuddyClient)["submit_query"], vars(RetryHandler)["execute"],
            vars(WebSocketClient)["connect"]) == originals
    fake.add_session(FakeSession("sess-u"))
    await client.get_status("sess-u")
    assert span_capture.spans() == []


@pytest.mark.parametrize("capture_content", [True])
async def test_no_credential_in_any_span(instrumented: Any, fake: Any, client: Any, make_client: Any,
                                         span_capture: SpanCapture) -> None:
    fake.add_session(FakeSession("sess-0001", updates=agent_updates("sess-0001")))
    await run_stream(client, "sess-0001")
    fake.fail("GET", "status", 503)
    await client.get_status("sess-0001")
    with pytest.raises(SessionNotFoundError):
        await client.get_status("sess-missing")
    wrong = make_client(fake.base_url, api_key=TEST_API_KEY[::-1])
    with pytest.raises(AuthenticationError):
        await wrong.get_status("sess-0001")
    await wrong.close()
    # A platform that quotes the key back in an error detail: the SDK's exception message carries it.
    fake.quote_key_in_faults = True
    fake.fail("POST", "plan", 400)
    with pytest.raises(ValidationError) as rejected:
        await client.submit_query(QUERY)
    assert TEST_API_KEY in str(rejected.value)
    # The stream's WebSocket URL carries the key as a query parameter; a refused connection must not leak it.
    refused = make_client(fake.base_url, api_key="tb-refused-KEY-999999")
    done = asyncio.Event()

    async def never(update: Any) -> None:
        done.set()

    await refused.listen_stream("sess-0001", never)
    await asyncio.gather(refused.websocket._tasks["sess-0001"], return_exceptions=True)
    await refused.close()

    spans = span_capture.spans()
    assert {"invoke_agent tbuddy", "tbuddy.stream", "tbuddy.get_status"} <= {s.name for s in spans}
    (rejected_query,) = [s for s in spans
                         if s.name == "invoke_agent tbuddy" and s.status.status_code is StatusCode.ERROR]
    assert any(e.name == sc.EXCEPTION_EVENT for e in rejected_query.events)
    refused_stream = [s for s in spans if s.name == "tbuddy.stream" and s.status.status_code is StatusCode.ERROR]
    assert refused_stream, "the refused connection must give a failed stream span"
    assert_no_secret_in_spans(spans, [TEST_API_KEY, TEST_API_KEY[::-1], "tb-refused-KEY-999999"])
    assert trace.get_current_span() is trace.INVALID_SPAN


async def test_our_failure_never_breaks_the_stream(instrumented: Any, fake: Any, client: Any,
                                                   span_capture: SpanCapture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_tbuddy import _stream

    from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors

    def broken(self: Any, update: Any) -> None:
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(_stream.StreamObserver, "on_update", broken)
    updates = agent_updates("sess-0001")
    fake.add_session(FakeSession("sess-0001", updates=updates))
    before = internal_error_counts().get("tbuddy.stream.update", 0)
    with tolerate_internal_errors():
        result, received = await run_stream(client, "sess-0001")

    assert type(result) is TravelPlanResult
    assert [u.type for u in received] == [u["type"] for u in updates]
    assert internal_error_counts()["tbuddy.stream.update"] == before + len(updates)
    assert len(span_capture.spans("tbuddy.stream")) == 1
