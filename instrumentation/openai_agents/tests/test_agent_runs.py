"""Agents SDK runs (a tool call, a handoff, a guardrail) through the real SDK and the real openai client, answered
from recorded Responses API traffic; expected tokens, ids and models are read from the recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agents import (
    Agent,
    GuardrailFunctionOutput,
    Runner,
    function_tool,
    handoff,
    input_guardrail,
    set_default_openai_client,
    trace,
)
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from huggingplace_instrumentation_openai_agents import OpenAIAgentsInstrumentor
from openai import AsyncOpenAI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

import huggingplace_sdk as hp
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ReplayServer,
    SpanCapture,
    cassette_path,
    load_cassette,
    recorded_json,
    recorded_sse_events,
)

SCOPE = "huggingplace_instrumentation_openai_agents"
TOOL_TURN = "test_finish_reasons__TestResponsesAPIFinishReasons.test_responses_api_tool_call_finish_reason"
ANSWER_TURN = "test_responses__test_responses"
MODEL = "gpt-4.1-nano"


def _turns() -> list[Any]:
    return [load_cassette(cassette_path("openai", name))[0] for name in (TOOL_TURN, ANSWER_TURN)]


def _usage(interaction: Any) -> tuple[int, int]:
    usage = recorded_json(interaction)["usage"]
    return usage["input_tokens"], usage["output_tokens"]


@function_tool
def get_weather(location: str) -> str:
    """Get the current weather for a location."""
    return f"Sunny in {location}"


@input_guardrail
def polite(context: Any, agent: Any, text: Any) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)


def _parent(span: ReadableSpan, spans: list[ReadableSpan]) -> ReadableSpan | None:
    return next((s for s in spans if span.parent is not None and s.context.span_id == span.parent.span_id), None)


def _llms(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    llms = [s for s in spans if s.kind is SpanKind.CLIENT and (s.attributes or {}).get(
        sc.GEN_AI_OPERATION_NAME) == sc.OP_CHAT]
    return sorted(llms, key=lambda s: s.start_time or 0)


async def _run(server: ReplayServer, agent: Agent[Any], **kwargs: Any) -> Any:
    set_default_openai_client(AsyncOpenAI(base_url=server.base_url + "/v1", api_key="sk-agents-secret-41d"),
                              use_for_tracing=False)
    return await Runner.run(agent, "What's the weather in Paris?", **kwargs)


@pytest.mark.parametrize("openai_traced", [True, False], ids=["openai_traced", "openai_not_traced"])
async def test_tool_run_tree_and_each_call_counted_once(span_capture: SpanCapture, openai_traced: bool) -> None:
    if openai_traced:
        span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(OpenAIAgentsInstrumentor())
    turns = _turns()
    agent = Agent(name="weather", instructions="Answer.", model=MODEL, tools=[get_weather],
                  input_guardrails=[polite])
    with ReplayServer(turns) as server, hp.trace_step("ask"):
        result = await _run(server, agent)
    assert result.final_output == recorded_json(turns[1])["output"][0]["content"][0]["text"]

    spans = span_capture.spans()
    llms = _llms(spans)
    assert [s.instrumentation_scope.name for s in llms] == [
        "huggingplace_instrumentation_openai" if openai_traced else SCOPE] * 2
    for llm, turn in zip(llms, turns, strict=True):
        expected = recorded_json(turn)
        assert (llm.attributes[sc.GEN_AI_USAGE_INPUT_TOKENS], llm.attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS]) == (
            _usage(turn))
        assert llm.attributes[sc.GEN_AI_RESPONSE_ID] == expected["id"]
        assert llm.attributes[sc.GEN_AI_RESPONSE_MODEL] == expected["model"]
    assert llms[0].attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("tool_calls",)
    assert llms[0].attributes[sc.HP_TOOL_CALL_IDS] == (recorded_json(turns[0])["output"][0]["call_id"],)

    [agent_span] = span_capture.spans("invoke_agent weather")
    assert agent_span.attributes[sc.GEN_AI_AGENT_NAME] == "weather"
    [tool_span] = span_capture.spans("execute_tool get_weather")
    [guardrail] = span_capture.spans("guardrail polite")
    assert guardrail.attributes[sc.HP_GUARDRAIL_TRIGGERED] is False
    for span in (*llms, tool_span, guardrail):
        ancestor = _parent(span, spans)
        while ancestor is not None and ancestor != agent_span:
            ancestor = _parent(ancestor, spans)
        assert ancestor == agent_span, span.name
    [workflow] = [s for s in spans if s.attributes.get(sc.HP_STEP_TYPE) == "workflow"]
    assert _parent(workflow, spans).name == "ask"
    totals = [_usage(t) for t in turns]
    for step in (agent_span, workflow, span_capture.only_span("ask")):
        assert step.attributes[sc.HP_STEP_LLM_CALLS] == 2
        assert step.attributes[sc.HP_STEP_USAGE_INPUT] == sum(t[0] for t in totals)
        assert step.attributes[sc.HP_STEP_USAGE_OUTPUT] == sum(t[1] for t in totals)
    assert sum(s.attributes.get(sc.GEN_AI_USAGE_INPUT_TOKENS, 0) for s in spans) == sum(t[0] for t in totals)


async def test_handoff_is_a_step_and_the_next_agent_its_own_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(OpenAIAgentsInstrumentor())
    weather = Agent(name="weather", instructions="Answer.", model=MODEL)
    # The recorded first turn calls "get_weather": here that call is the handoff's tool.
    triage = Agent(name="triage", instructions="Route.", model=MODEL,
                   handoffs=[handoff(weather, tool_name_override="get_weather")])
    with ReplayServer(_turns()) as server:
        result = await _run(server, triage)
    assert result.last_agent.name == "weather"
    spans = span_capture.spans()
    [handoff_span] = span_capture.spans("handoff weather")
    assert handoff_span.attributes[sc.HP_HANDOFF_FROM] == "triage"
    assert handoff_span.attributes[sc.HP_HANDOFF_TO] == "weather"
    assert _parent(handoff_span, spans) is not None
    assert len(_llms(spans)) == 2
    triage_span = span_capture.only_span("invoke_agent triage")
    weather_span = span_capture.only_span("invoke_agent weather")
    assert triage_span.attributes[sc.HP_STEP_USAGE_INPUT] == _usage(_turns()[0])[0]
    assert weather_span.attributes[sc.HP_STEP_USAGE_INPUT] == _usage(_turns()[1])[0]


async def test_group_id_is_the_session_unless_ours_is_open(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(OpenAIAgentsInstrumentor())
    agent = Agent(name="weather", instructions="Answer.", model=MODEL, tools=[get_weather])
    with ReplayServer(_turns()) as server, trace("support", group_id="conversation-9"):
        await _run(server, agent)
    spans = span_capture.spans()
    assert spans and all(s.attributes.get(sc.SESSION_ID) == "conversation-9" for s in spans)
    span_capture.clear()
    with ReplayServer(_turns()) as server, hp.session("ours"), trace("support", group_id="conversation-9"):
        await _run(server, agent)
    assert all(s.attributes.get(sc.SESSION_ID) == "ours" for s in span_capture.spans())


@pytest.mark.parametrize("capture_content", [False, True], ids=["no_content", "content"])
async def test_tool_arguments_and_result_only_with_content_capture(span_capture: SpanCapture,
                                                                   capture_content: bool) -> None:
    span_capture.instrument(OpenAIAgentsInstrumentor(), capture_content=capture_content)
    agent = Agent(name="weather", instructions="Answer.", model=MODEL, tools=[get_weather])
    with ReplayServer(_turns()) as server:
        await _run(server, agent)
    tool_span = span_capture.only_span("execute_tool get_weather")
    if not capture_content:
        assert sc.GEN_AI_TOOL_CALL_ARGUMENTS not in tool_span.attributes
        assert sc.GEN_AI_TOOL_CALL_RESULT not in tool_span.attributes
        return
    arguments = recorded_json(_turns()[0])["output"][0]["arguments"]
    assert json.loads(tool_span.attributes[sc.GEN_AI_TOOL_CALL_ARGUMENTS]) == arguments
    assert json.loads(tool_span.attributes[sc.GEN_AI_TOOL_CALL_RESULT]) == "Sunny in Paris"


async def test_streamed_run_keeps_its_tree_and_counts_the_call_once(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(OpenAIAgentsInstrumentor())
    streamed = load_cassette(cassette_path("openai", "test_responses__test_responses_streaming"))[0]
    completed = next(e for e in recorded_sse_events(streamed) if e.get("type") == "response.completed")
    agent = Agent(name="weather", instructions="Answer.", model=MODEL)
    with ReplayServer([streamed]) as server:
        set_default_openai_client(AsyncOpenAI(base_url=server.base_url + "/v1", api_key="sk-agents-secret-41d"),
                                  use_for_tracing=False)
        result = Runner.run_streamed(agent, "What's the capital of France?")
        events = [event async for event in result.stream_events()]
    assert events
    spans = span_capture.spans()
    agent_span = span_capture.only_span("invoke_agent weather")
    [llm] = _llms(spans)
    assert llm.attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
    ancestor = _parent(llm, spans)
    while ancestor is not None and ancestor != agent_span:
        ancestor = _parent(ancestor, spans)
    assert ancestor == agent_span
    usage = completed["response"]["usage"]
    assert llm.attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage["input_tokens"]
    assert agent_span.attributes[sc.HP_STEP_USAGE_INPUT] == usage["input_tokens"]
    assert agent_span.attributes[sc.HP_STEP_USAGE_OUTPUT] == usage["output_tokens"]
