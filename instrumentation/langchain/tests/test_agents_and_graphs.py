"""LangGraph agents, tools, retrievers and sessions, through real LangGraph and LangChain over recorded OpenAI
traffic (a tool-calling turn, then the answer after the tool's result)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from huggingplace_instrumentation_langchain import LangChainInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from opentelemetry.trace import StatusCode

import huggingplace_sdk as hp
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, SpanCapture, recorded_json

from ._tree import attr, inference_spans, parent_of, recorded, recorded_usage

TOOL_TURN = ("openai", "test_functions__test_open_ai_function_calls_tools")  # asks for get_current_weather
ANSWER_TURN = ("openai", "test_chat__test_chat_tool_calls")  # answers from the tool's result
KEY = "sk-agent-replay-secret-0b9d"


@tool
def get_current_weather(location: str) -> str:
    """Get the current weather in a given location."""
    if location == "explode":
        raise ValueError("no weather")
    return f"The weather in {location} is 70 degrees and sunny."


def _agent(base_url: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent moved in LangGraph 1.x; it still works
        from langgraph.prebuilt import create_react_agent

        model = ChatOpenAI(model="gpt-4", api_key=KEY, base_url=base_url + "/v1", max_retries=0)
        return create_react_agent(model, [get_current_weather])


def _ancestors(span: Any, spans: list[Any], *, stop: Any) -> list[str]:
    """Names between ``span`` and its ancestor ``stop`` (which must be on the way up)."""
    names = []
    parent = parent_of(span, spans)
    while parent is not None and parent != stop:
        names.append(parent.name)
        parent = parent_of(parent, spans)
    assert parent == stop, f"{span.name} is not under {stop.name}"
    return names


def _turns() -> list[Any]:
    return [recorded(*TOOL_TURN), recorded(*ANSWER_TURN)]


@pytest.mark.parametrize("use_async", [False, True], ids=["invoke", "ainvoke"])
async def test_react_agent_tree_tokens_once_and_tool_linked_to_its_request(span_capture: SpanCapture,
                                                                          use_async: bool) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    turns = _turns()
    call = recorded_json(turns[0])["choices"][0]["message"]["tool_calls"][0]
    with ReplayServer(turns) as server, hp.trace_step("ask"):
        agent = _agent(server.base_url)
        state = {"messages": [("user", "What's the weather like in Boston?")]}
        result = await agent.ainvoke(state) if use_async else agent.invoke(state)
    assert result["messages"][-1].content == recorded_json(turns[1])["choices"][0]["message"]["content"]

    spans = span_capture.spans()
    llms = sorted(inference_spans(spans), key=lambda s: s.start_time or 0)
    assert [s.instrumentation_scope.name for s in llms] == ["huggingplace_instrumentation_openai"] * 2
    [agent_span] = [s for s in spans if s.name.startswith("invoke_agent ")]
    assert attr(agent_span, sc.GEN_AI_OPERATION_NAME) == sc.OP_INVOKE_AGENT
    assert parent_of(agent_span, spans).name == "ask"
    [tool_span] = span_capture.spans("execute_tool get_current_weather")
    assert attr(tool_span, sc.GEN_AI_TOOL_CALL_ID) == call["id"]
    assert attr(tool_span, sc.GEN_AI_TOOL_NAME) == "get_current_weather"
    # The tool links to the inference span whose response asked for it.
    assert [link.context.span_id for link in tool_span.links] == [llms[0].context.span_id]
    assert attr(llms[0], sc.HP_TOOL_CALL_IDS) == (call["id"],)
    # Graph nodes are steps under the agent: each model call under an "agent" node, the tool under "tools".
    for llm in llms:
        assert "agent" in _ancestors(llm, spans, stop=agent_span)
    assert _ancestors(tool_span, spans, stop=agent_span) == ["tools"]
    assert attr(parent_of(tool_span, spans), sc.HP_STEP_TYPE) == "node"
    # Tokens: each recorded call once, in the agent and in the user's step.
    expected = [recorded_usage(t) for t in turns]
    for step in (agent_span, span_capture.only_span("ask")):
        assert attr(step, sc.HP_STEP_LLM_CALLS) == 2
        assert attr(step, sc.HP_STEP_USAGE_INPUT) == sum(e[0] for e in expected)
        assert attr(step, sc.HP_STEP_USAGE_OUTPUT) == sum(e[1] for e in expected)
    assert sum(attr(s, sc.GEN_AI_USAGE_INPUT_TOKENS) or 0 for s in spans) == sum(e[0] for e in expected)


def test_agent_without_the_vendor_traced_still_counts_each_call_once(span_capture: SpanCapture) -> None:
    span_capture.instrument(LangChainInstrumentor())
    turns = _turns()
    with ReplayServer(turns) as server:
        _agent(server.base_url).invoke({"messages": [("user", "What's the weather like in Boston?")]})
    spans = span_capture.spans()
    llms = inference_spans(spans)
    assert len(llms) == 2
    assert all(s.instrumentation_scope.name == "huggingplace_instrumentation_langchain" for s in llms)
    expected = [recorded_usage(t) for t in turns]
    assert sorted((attr(s, sc.GEN_AI_USAGE_INPUT_TOKENS), attr(s, sc.GEN_AI_USAGE_OUTPUT_TOKENS))
                  for s in llms) == sorted(expected)
    [tool_span] = span_capture.spans("execute_tool get_current_weather")
    first = min(llms, key=lambda s: s.start_time or 0)
    assert [link.context.span_id for link in tool_span.links] == [first.context.span_id]


@pytest.mark.parametrize("capture_content", [False, True], ids=["no_content", "content"])
def test_tool_arguments_and_result_only_with_content_capture(span_capture: SpanCapture,
                                                             capture_content: bool) -> None:
    span_capture.instrument(LangChainInstrumentor(), capture_content=capture_content)
    with ReplayServer(_turns()) as server:
        _agent(server.base_url).invoke({"messages": [("user", "What's the weather like in Boston?")]})
    [tool_span] = span_capture.spans("execute_tool get_current_weather")
    if not capture_content:
        assert attr(tool_span, sc.GEN_AI_TOOL_CALL_ARGUMENTS) is None
        assert attr(tool_span, sc.GEN_AI_TOOL_CALL_RESULT) is None
        return
    arguments = json.loads(recorded_json(_turns()[0])["choices"][0]["message"]["tool_calls"][0]["function"][
        "arguments"])
    assert json.loads(attr(tool_span, sc.GEN_AI_TOOL_CALL_ARGUMENTS)) == arguments
    assert json.loads(attr(tool_span, sc.GEN_AI_TOOL_CALL_RESULT)) == get_current_weather.invoke(arguments)


def test_graph_thread_id_is_the_session_unless_ours_is_open(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    config = {"configurable": {"thread_id": "thread-77"}, "metadata": {"user_id": "user-5"}}
    with ReplayServer(_turns()) as server:
        _agent(server.base_url).invoke({"messages": [("user", "What's the weather like in Boston?")]}, config)
    spans = span_capture.spans()
    assert spans and all(attr(s, sc.SESSION_ID) == "thread-77" for s in spans)
    assert all(attr(s, sc.USER_ID) == "user-5" for s in spans)

    span_capture.clear()
    with ReplayServer(_turns()) as server, hp.session("ours", user_id="u-1"):
        _agent(server.base_url).invoke({"messages": [("user", "What's the weather like in Boston?")]}, config)
    spans = span_capture.spans()
    assert spans and all(attr(s, sc.SESSION_ID) == "ours" for s in spans)


class _Shelf(BaseRetriever):
    """A retriever over two fixed documents."""

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=f"{query} one", metadata={"n": 1}), Document(page_content=f"{query} two")]


@pytest.mark.parametrize("capture_content", [False, True], ids=["no_content", "content"])
def test_retriever_is_a_retrieval_step(span_capture: SpanCapture, capture_content: bool) -> None:
    span_capture.instrument(LangChainInstrumentor(), capture_content=capture_content)
    docs = _Shelf().invoke("otel")
    span = span_capture.only_span("retrieve _Shelf")
    assert attr(span, sc.HP_STEP_TYPE) == "retriever"
    assert attr(span, sc.HP_RETRIEVAL_DOCUMENT_COUNT) == len(docs) == 2
    if capture_content:
        assert json.loads(attr(span, sc.HP_RETRIEVAL_QUERY)) == "otel"
        assert [d["content"] for d in json.loads(attr(span, sc.HP_RETRIEVAL_DOCUMENTS))] == ["otel one", "otel two"]
    else:
        assert attr(span, sc.HP_RETRIEVAL_QUERY) is None and attr(span, sc.HP_RETRIEVAL_DOCUMENTS) is None


def test_failing_tool_error_recorded_and_raised_unchanged(span_capture: SpanCapture) -> None:
    span_capture.instrument(LangChainInstrumentor())
    with pytest.raises(ValueError, match="no weather"):
        get_current_weather.invoke({"location": "explode"})
    span = span_capture.only_span("execute_tool get_current_weather")
    assert span.status.status_code is StatusCode.ERROR
    assert attr(span, sc.ERROR_TYPE) == "ValueError"
