"""One model call, one inference span: LangChain chat models through a traced vendor SDK and without one.

Real LangChain (langchain-openai, langchain-anthropic) over the real vendor clients, answered from recorded
cassettes; expected tokens, ids and models are read from the recordings.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor
from huggingplace_instrumentation_langchain import LangChainInstrumentor
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from langchain_anthropic import ChatAnthropic
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableParallel
from langchain_openai import ChatOpenAI
from opentelemetry.trace import SpanKind, StatusCode

import huggingplace_sdk as hp
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, SpanCapture, recorded_json

from ._tree import LANGCHAIN_SCOPE, attr, inference_spans, parent_of, recorded, recorded_usage, tree

OPENAI_CHAT = ("openai", "test_chat__test_chat")
ANTHROPIC_MESSAGE = ("anthropic", "test_messages__test_anthropic_message_create_legacy")
KEY = "sk-langchain-replay-secret-7f1c"


def _openai_chain(base_url: str) -> Any:
    model = ChatOpenAI(model="gpt-3.5-turbo", api_key=KEY, base_url=base_url + "/v1", max_retries=0)
    prompt = ChatPromptTemplate.from_messages([("user", "Tell me a joke about {topic}")])
    return prompt | model | StrOutputParser()


def _anthropic_chain(base_url: str) -> Any:
    body = recorded(*ANTHROPIC_MESSAGE).request
    model = ChatAnthropic(model=_request_model(body), api_key=KEY, base_url=base_url, max_retries=0)
    return ChatPromptTemplate.from_messages([("user", "{question}")]) | model | StrOutputParser()


def _request_model(request: Any) -> str:
    import json

    return str(json.loads(request.body)["model"])


@pytest.mark.parametrize("vendor_traced", [True, False], ids=["openai_traced", "openai_not_traced"])
def test_openai_chain_gives_one_inference_span_with_recorded_tokens(span_capture: SpanCapture,
                                                                     vendor_traced: bool) -> None:
    if vendor_traced:
        span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    interaction = recorded(*OPENAI_CHAT)
    expected = recorded_json(interaction)
    with ReplayServer(recorded_interactions(OPENAI_CHAT)) as server, hp.trace_step("joke"):
        answer = _openai_chain(server.base_url).invoke({"topic": "opentelemetry"})
    assert answer == expected["choices"][0]["message"]["content"]

    spans = span_capture.spans()
    [llm] = inference_spans(spans)
    assert llm.instrumentation_scope.name == (
        "huggingplace_instrumentation_openai" if vendor_traced else LANGCHAIN_SCOPE)
    assert llm.kind is SpanKind.CLIENT and llm.name == "chat gpt-3.5-turbo"
    assert (attr(llm, sc.GEN_AI_USAGE_INPUT_TOKENS), attr(llm, sc.GEN_AI_USAGE_OUTPUT_TOKENS)) == recorded_usage(
        interaction)
    assert attr(llm, sc.HP_USAGE_SOURCE) == sc.USAGE_SOURCE_PROVIDER
    assert attr(llm, sc.GEN_AI_RESPONSE_MODEL) == expected["model"]
    assert attr(llm, sc.GEN_AI_RESPONSE_ID) == expected["id"]
    assert attr(llm, sc.GEN_AI_RESPONSE_FINISH_REASONS) == ("stop",)
    assert attr(llm, sc.GEN_AI_PROVIDER_NAME) == "openai"
    assert tree(spans) == [
        "joke <- -",
        "RunnableSequence <- joke",
        "ChatPromptTemplate <- RunnableSequence",
        "chat gpt-3.5-turbo <- RunnableSequence",
        "StrOutputParser <- RunnableSequence",
    ]
    # Tokens rolled up once into every enclosing step.
    for name in ("RunnableSequence", "joke"):
        step = span_capture.only_span(name)
        assert attr(step, sc.HP_STEP_LLM_CALLS) == 1
        assert (attr(step, sc.HP_STEP_USAGE_INPUT), attr(step, sc.HP_STEP_USAGE_OUTPUT)) == recorded_usage(
            interaction)
    # No span of LangChain's carries usage when the vendor adapter has the call.
    usage_holders = [s for s in spans if attr(s, sc.GEN_AI_USAGE_INPUT_TOKENS) is not None]
    assert usage_holders == [llm]


@pytest.mark.parametrize("vendor_traced", [True, False], ids=["anthropic_traced", "anthropic_not_traced"])
def test_anthropic_chain_gives_one_inference_span_with_recorded_tokens(span_capture: SpanCapture,
                                                                        vendor_traced: bool) -> None:
    if vendor_traced:
        span_capture.instrument(AnthropicInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    interaction = recorded(*ANTHROPIC_MESSAGE)
    expected = recorded_json(interaction)
    with ReplayServer(recorded_interactions(ANTHROPIC_MESSAGE)) as server:
        answer = _anthropic_chain(server.base_url).invoke({"question": "Tell me a joke about OpenTelemetry"})
    assert answer == expected["content"][0]["text"]
    [llm] = inference_spans(span_capture.spans())
    assert llm.instrumentation_scope.name == (
        "huggingplace_instrumentation_anthropic" if vendor_traced else LANGCHAIN_SCOPE)
    assert (attr(llm, sc.GEN_AI_USAGE_INPUT_TOKENS), attr(llm, sc.GEN_AI_USAGE_OUTPUT_TOKENS)) == recorded_usage(
        interaction)
    assert attr(llm, sc.GEN_AI_RESPONSE_MODEL) == expected["model"]
    assert attr(llm, sc.GEN_AI_RESPONSE_ID) == expected["id"]
    assert attr(llm, sc.GEN_AI_PROVIDER_NAME) == "anthropic"
    assert attr(llm, sc.GEN_AI_RESPONSE_FINISH_REASONS) == (expected["stop_reason"],)
    [chain] = span_capture.spans("RunnableSequence")
    assert parent_of(llm, span_capture.spans()) == chain


def recorded_interactions(cassette: tuple[str, str]) -> list[Any]:
    return [recorded(*cassette)]


async def test_async_chain_and_parallel_branches_keep_their_parents(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    interactions = [recorded(*OPENAI_CHAT, index=i) for i in (0, 1)]
    with ReplayServer(interactions) as server:
        branches = RunnableParallel(first=_openai_chain(server.base_url), second=_openai_chain(server.base_url))
        with hp.trace_step("both"):
            result = await branches.ainvoke({"topic": "opentelemetry"})
    assert set(result.values()) == {recorded_json(i)["choices"][0]["message"]["content"] for i in interactions}
    spans = span_capture.spans()
    llms = inference_spans(spans)
    assert len(llms) == 2
    sequences = span_capture.spans("RunnableSequence")
    assert len(sequences) == 2
    # Each call sits under its own branch's chain, each branch under the parallel step.
    assert {parent_of(llm, spans).context.span_id for llm in llms} == {s.context.span_id for s in sequences}
    [parallel] = [s for s in spans if s.name.startswith("RunnableParallel")]
    assert all(parent_of(s, spans) == parallel for s in sequences)
    both = span_capture.only_span("both")
    totals = [recorded_usage(i) for i in interactions]
    assert attr(both, sc.HP_STEP_LLM_CALLS) == 2
    assert attr(both, sc.HP_STEP_USAGE_INPUT) == sum(t[0] for t in totals)
    assert attr(both, sc.HP_STEP_USAGE_OUTPUT) == sum(t[1] for t in totals)


def test_sync_parallel_branches_in_threads_keep_their_parents(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    interactions = [recorded(*OPENAI_CHAT, index=i) for i in (0, 1)]
    with ReplayServer(interactions) as server:
        branches = RunnableParallel(a=_openai_chain(server.base_url), b=_openai_chain(server.base_url))
        branches.invoke({"topic": "opentelemetry"})
    spans = span_capture.spans()
    sequences = span_capture.spans("RunnableSequence")
    assert {parent_of(llm, spans).context.span_id for llm in inference_spans(spans)} == {
        s.context.span_id for s in sequences}


@pytest.mark.parametrize("use_async", [False, True], ids=["stream", "astream"])
async def test_streamed_chain_without_recorded_usage_invents_no_tokens(span_capture: SpanCapture,
                                                                       use_async: bool) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    interaction = recorded("openai", "test_chat__test_chat_async_streaming")
    with ReplayServer([interaction]) as server:
        chain = _openai_chain(server.base_url)
        if use_async:
            pieces = [p async for p in chain.astream({"topic": "opentelemetry"})]
        else:
            pieces = list(chain.stream({"topic": "opentelemetry"}))
    assert "".join(pieces)
    [llm] = inference_spans(span_capture.spans())
    assert llm.instrumentation_scope.name == "huggingplace_instrumentation_openai"
    assert attr(llm, sc.HP_USAGE_SOURCE) == sc.USAGE_SOURCE_ABSENT
    assert attr(llm, sc.GEN_AI_USAGE_INPUT_TOKENS) is None
    assert attr(span_capture.only_span("RunnableSequence"), sc.HP_STEP_USAGE_INPUT) is None


def test_failed_model_call_not_traced_below_is_one_error_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(LangChainInstrumentor())
    # Nothing recorded: every request is refused (status 599).
    with ReplayServer([]) as server, pytest.raises(openai.APIStatusError) as raised:
        _openai_chain(server.base_url).invoke({"topic": "x"})
    [llm] = inference_spans(span_capture.spans())
    assert llm.status.status_code is StatusCode.ERROR
    assert attr(llm, sc.ERROR_TYPE) == f"{type(raised.value).__module__}.{type(raised.value).__qualname__}"
    assert attr(llm, sc.HP_USAGE_SOURCE) == sc.USAGE_SOURCE_ABSENT
    chain = span_capture.only_span("RunnableSequence")
    assert chain.status.status_code is StatusCode.ERROR


@pytest.mark.parametrize("capture_content", [False, True], ids=["no_content", "content"])
def test_content_only_when_capture_is_on(span_capture: SpanCapture, capture_content: bool) -> None:
    span_capture.instrument(LangChainInstrumentor(), capture_content=capture_content)
    interaction = recorded(*OPENAI_CHAT)
    with ReplayServer([interaction]) as server:
        _openai_chain(server.base_url).invoke({"topic": "opentelemetry"})
    [llm] = inference_spans(span_capture.spans())
    if not capture_content:
        assert attr(llm, sc.GEN_AI_INPUT_MESSAGES) is None and attr(llm, sc.GEN_AI_OUTPUT_MESSAGES) is None
        return
    import json

    assert json.loads(attr(llm, sc.GEN_AI_INPUT_MESSAGES)) == [
        {"role": "user", "parts": [{"type": "text", "content": "Tell me a joke about opentelemetry"}]}]
    [output] = json.loads(attr(llm, sc.GEN_AI_OUTPUT_MESSAGES))
    assert output["parts"][0]["content"] == recorded_json(interaction)["choices"][0]["message"]["content"]



async def test_astream_events_keeps_the_tree(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    span_capture.instrument(LangChainInstrumentor())
    with ReplayServer([recorded("openai", "test_chat__test_chat_async_streaming")]) as server:
        events = [e["event"] async for e in _openai_chain(server.base_url).astream_events({"topic": "otel"})]
    assert "on_chat_model_stream" in events and "on_chat_model_end" in events
    spans = span_capture.spans()
    [llm] = inference_spans(spans)
    assert llm.instrumentation_scope.name == "huggingplace_instrumentation_openai"
    assert attr(llm, sc.HP_STREAM_OUTCOME) == sc.STREAM_COMPLETED
    assert parent_of(llm, spans) == span_capture.only_span("RunnableSequence")
