"""session() and trace_step(): propagation, stamping third-party spans, roll-up, tool steps, decorators."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import fakevendor
import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk import current_session, current_step, session, trace_step, with_context
from huggingplace_sdk.testing import SpanCapture


def _attrs(span) -> dict:  # type: ignore[no-untyped-def]
    return dict(span.attributes or {})


def test_session_stamps_our_spans_and_third_party_spans(fake: SpanCapture) -> None:
    other_tracer = fake.tracer_provider.get_tracer("opentelemetry.instrumentation.httpx")
    with session("sess-1", user_id="user-9", plan="pro") as info:
        assert current_session() is info and info.session_id == "sess-1"
        fakevendor.Completions().create(model="m")
        other_tracer.start_span("POST", kind=SpanKind.CLIENT).end()
    fakevendor.Completions().create(model="m")  # outside: not stamped
    inference, third_party, outside = fake.spans()
    for span in (inference, third_party):
        attrs = _attrs(span)
        assert attrs[sc.SESSION_ID] == "sess-1"
        assert attrs[sc.GEN_AI_CONVERSATION_ID] == "sess-1"
        assert attrs[sc.USER_ID] == "user-9"
        assert attrs[sc.HP_SESSION_METADATA_PREFIX + "plan"] == "pro"
    assert sc.SESSION_ID not in _attrs(outside)


def test_session_id_is_generated_and_nested_sessions_inherit(fake: SpanCapture) -> None:
    with session(user_id="u", team="a") as outer:
        assert len(outer.session_id) == 32
        with session("inner", tier="gold") as inner:
            assert inner.user_id == "u" and dict(inner.metadata) == {"team": "a", "tier": "gold"}
    assert current_session() is None


async def test_session_follows_gather_and_tasks(fake: SpanCapture) -> None:
    async def call() -> None:
        await fakevendor.AsyncCompletions().create(model="m")

    async with session("async-sess"):
        await asyncio.gather(call(), call())
        await asyncio.create_task(call())
    assert [_attrs(s)[sc.SESSION_ID] for s in fake.spans()] == ["async-sess"] * 3


def test_session_in_thread_pools_needs_with_context(fake: SpanCapture) -> None:
    with session("threaded"), ThreadPoolExecutor(max_workers=2) as pool:
        pool.submit(with_context(fakevendor.Completions().create), model="m").result()
        pool.submit(fakevendor.Completions().create, model="m").result()  # no helper: no context
    stamped = [_attrs(s).get(sc.SESSION_ID) for s in fake.spans()]
    assert sorted(stamped, key=str) == sorted(["threaded", None], key=str)


def test_stream_consumed_after_the_session_block_keeps_its_session(fake: SpanCapture) -> None:
    with session("late"):
        stream = fakevendor.Completions().create(model="m", stream=True)
    list(stream)
    assert _attrs(fake.only_span())[sc.SESSION_ID] == "late"


def test_session_decorator_for_every_function_kind(fake: SpanCapture) -> None:
    @session("deco")
    def plain() -> str | None:
        info = current_session()
        return info.session_id if info else None

    @session("deco-gen")
    def gen():  # type: ignore[no-untyped-def]
        yield current_session().session_id  # type: ignore[union-attr]
        yield current_session().session_id  # type: ignore[union-attr]

    assert plain() == "deco"
    iterator = gen()
    assert next(iterator) == "deco-gen"
    assert current_session() is None  # not active while the caller holds the generator
    assert next(iterator) == "deco-gen"

    @session("deco-async")
    async def coro() -> str | None:
        info = current_session()
        return info.session_id if info else None

    @session("deco-agen")
    async def agen():  # type: ignore[no-untyped-def]
        yield current_session().session_id  # type: ignore[union-attr]

    async def run() -> tuple:
        return await coro(), [x async for x in agen()]

    assert asyncio.run(run()) == ("deco-async", ["deco-agen"])


def test_bad_session_arguments_raise() -> None:
    with pytest.raises(TypeError, match="session_id"):
        session(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="attribute values"):
        session("s", meta={"nested": 1})


def test_trace_step_nests_and_rolls_up_usage_without_double_counting(fake: SpanCapture) -> None:
    create = fakevendor.Completions().create
    with trace_step("agent", type="agent", user_question="why?") as agent:
        create(model="m")  # 7 in, 5 out, 2 cached
        with trace_step("retrieval") as inner:
            create(model="m")
            create(model="m")
            assert current_step() is inner
        agent.prompt_response = "because"
    spans = {s.name: s for s in fake.spans()}
    inner_attrs, agent_attrs = _attrs(spans["retrieval"]), _attrs(spans["agent"])
    assert inner_attrs[sc.HP_STEP_USAGE_INPUT] == 14 and inner_attrs[sc.HP_STEP_USAGE_OUTPUT] == 10
    assert inner_attrs[sc.HP_STEP_LLM_CALLS] == 2
    assert agent_attrs[sc.HP_STEP_USAGE_INPUT] == 21 and agent_attrs[sc.HP_STEP_USAGE_OUTPUT] == 15
    assert agent_attrs[sc.HP_STEP_USAGE_CACHE_READ] == 6
    assert agent_attrs[sc.HP_STEP_LLM_CALLS] == 3
    assert agent_attrs[sc.HP_STEP_TYPE] == "agent"
    assert agent_attrs[sc.HP_STEP_USER_QUESTION] == "why?"
    assert agent_attrs[sc.HP_STEP_PROMPT_RESPONSE] == "because"
    assert spans["agent"].kind is SpanKind.INTERNAL
    llm = [s for s in fake.spans() if s.kind is SpanKind.CLIENT]
    assert llm[0].parent.span_id == spans["agent"].context.span_id  # type: ignore[union-attr]
    assert llm[1].parent.span_id == spans["retrieval"].context.span_id  # type: ignore[union-attr]


def test_trace_step_records_and_reraises_exceptions(fake: SpanCapture) -> None:
    with pytest.raises(ZeroDivisionError), trace_step("fails"):
        1 / 0  # noqa: B018
    span = fake.only_span()
    assert span.status.status_code is StatusCode.ERROR
    assert _attrs(span)[sc.ERROR_TYPE] == "ZeroDivisionError"


def test_tool_step_is_an_execute_tool_span_linked_to_the_requesting_call(fake: SpanCapture) -> None:
    chunks = [fakevendor.Chunk("r", "m", tool_call={"id": "call_42", "name": "weather"}),
              fakevendor.Chunk("r", "m", finish_reason="tool_calls")]
    original = fakevendor.default_chunks
    fakevendor.default_chunks = lambda *a, **k: chunks  # type: ignore[assignment]
    try:
        list(fakevendor.Completions().create(model="m", stream=True))
    finally:
        fakevendor.default_chunks = original
    with trace_step("weather", type="tool", tool_call_id="call_42"):
        pass
    inference, tool = fake.spans()
    attrs = _attrs(tool)
    assert tool.name == "execute_tool weather"
    assert attrs[sc.GEN_AI_OPERATION_NAME] == "execute_tool"
    assert attrs[sc.GEN_AI_TOOL_NAME] == "weather"
    assert attrs[sc.GEN_AI_TOOL_CALL_ID] == "call_42"
    assert [link.context.span_id for link in tool.links] == [inference.context.span_id]


async def test_trace_step_decorators(fake: SpanCapture) -> None:
    @trace_step("sync-step")
    def sync_step() -> int:
        fakevendor.Completions().create(model="m")
        return 1

    @trace_step("async-step")
    async def async_step() -> int:
        await fakevendor.AsyncCompletions().create(model="m")
        return 2

    @trace_step("gen-step")
    def gen_step():  # type: ignore[no-untyped-def]
        yield fakevendor.Completions().create(model="m")

    assert sync_step() == 1 and await async_step() == 2 and len(list(gen_step())) == 1
    steps = {s.name: _attrs(s) for s in fake.spans() if s.kind is SpanKind.INTERNAL}
    assert {name: a[sc.HP_STEP_LLM_CALLS] for name, a in steps.items()} == {
        "sync-step": 1, "async-step": 1, "gen-step": 1}


def test_steps_parent_third_party_spans(fake: SpanCapture) -> None:
    tracer = trace.get_tracer("x", tracer_provider=fake.tracer_provider)
    with trace_step("outer") as step:
        tracer.start_span("child").end()
    child, outer = fake.spans()
    assert child.parent.span_id == outer.context.span_id  # type: ignore[union-attr]
    assert step.span.get_span_context().span_id == outer.context.span_id
