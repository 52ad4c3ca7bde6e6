"""``session(budget_usd=..., on_budget=...)``: spend tracked exactly across tasks and threads; at or over the
budget the next call warns once (and gets a span event) or raises before any request is sent.

One recorded gpt-3.5-turbo call is served again and again; its cost is computed by hand from its recorded
usage and the table's gpt-3.5-turbo prices ($0.5 input, $1.5 output per million tokens).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from _calls import assert_table, async_openai_client, call_openai, call_openai_async, openai_client, usd
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import BudgetExceededError, HuggingPlaceError, current_session, session, with_context
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_path, recorded_json

CASSETTE = cassette_path("openai", "test_chat__test_chat")


@pytest.fixture
def server(span_capture: SpanCapture) -> Iterator[ReplayServer]:
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CASSETTE, repeat=True) as replay:
        yield replay


def _one_call_cost(server: ReplayServer) -> Decimal:
    assert_table("openai", "gpt-3.5-turbo-0125", {"input_mtok": "0.5", "output_mtok": "1.5"})
    usage = recorded_json(server.interactions[0])["usage"]
    return usd(usage["prompt_tokens"], "0.5") + usd(usage["completion_tokens"], "1.5")


def _chat_spans(capture: SpanCapture) -> list[Any]:
    return [s for s in capture.spans() if s.name.startswith("chat")]


def test_raise_refuses_the_call_after_the_budget_is_reached_before_sending(
        server: ReplayServer, span_capture: SpanCapture) -> None:
    one = _one_call_cost(server)
    interaction = server.interactions[0]
    with openai_client(server.base_url) as client, session("s-raise", budget_usd=one * Decimal("2.5"),
                                                           on_budget="raise") as info:
        for _ in range(3):  # spent before each: 0, 1, 2 calls' worth, all under 2.5
            call_openai(client, interaction)
        with pytest.raises(BudgetExceededError) as refused:
            call_openai(client, interaction)
        assert info.spent_usd == 3 * one
    assert len(server.requests) == 3  # the refused call never reached the server
    assert len(_chat_spans(span_capture)) == 3
    error = refused.value
    assert isinstance(error, HuggingPlaceError)
    assert (error.session_id, error.spent_usd, error.budget_usd) == ("s-raise", 3 * one, one * Decimal("2.5"))
    assert "s-raise" in str(error)


def test_warn_logs_once_and_marks_every_call_made_over_budget(
        server: ReplayServer, span_capture: SpanCapture, caplog: pytest.LogCaptureFixture) -> None:
    one = _one_call_cost(server)
    caplog.set_level(logging.WARNING, logger="huggingplace_sdk")
    with openai_client(server.base_url) as client, session("s-warn", budget_usd=one):
        for _ in range(3):
            call_openai(client, server.interactions[0])
    assert len(server.requests) == 3  # warn never blocks
    warnings = [r for r in caplog.records if "budget" in r.getMessage()]
    assert len(warnings) == 1 and "s-warn" in warnings[0].getMessage()
    events = [[e for e in span.events if e.name == sc.HP_BUDGET_EVENT] for span in _chat_spans(span_capture)]
    assert [len(e) for e in events] == [0, 1, 1]
    assert events[1][0].attributes[sc.HP_BUDGET_SPENT] == pytest.approx(float(one))
    assert events[2][0].attributes[sc.HP_BUDGET_SPENT] == pytest.approx(float(2 * one))
    assert events[2][0].attributes[sc.HP_BUDGET_LIMIT] == pytest.approx(float(one))


async def test_spend_is_exact_under_asyncio_gather(server: ReplayServer) -> None:
    one = _one_call_cost(server)
    calls = 12
    client = async_openai_client(server.base_url)
    try:
        with session("s-gather", budget_usd=calls * one, on_budget="raise") as info:
            # However the calls interleave, at most 11 have finished when the last one starts: all go.
            await asyncio.gather(*(call_openai_async(client, server.interactions[0]) for _ in range(calls)))
            assert info.spent_usd == calls * one
            with pytest.raises(BudgetExceededError):
                await call_openai_async(client, server.interactions[0])
    finally:
        await client.close()
    assert len(server.requests) == calls


def test_spend_is_exact_across_a_thread_pool(server: ReplayServer) -> None:
    one = _one_call_cost(server)
    calls = 12
    with openai_client(server.base_url) as client, session("s-threads", budget_usd=calls * one,
                                                           on_budget="raise") as info:
        with ThreadPoolExecutor(max_workers=6) as pool:
            work = with_context(lambda: call_openai(client, server.interactions[0]))
            list(pool.map(lambda _: work(), range(calls)))
        assert info.spent_usd == calls * one
        with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(BudgetExceededError):
            pool.submit(with_context(lambda: call_openai(client, server.interactions[0]))).result()
    assert len(server.requests) == calls


def test_a_nested_session_spends_from_its_outer_budget(server: ReplayServer) -> None:
    one = _one_call_cost(server)
    with openai_client(server.base_url) as client, session("outer", budget_usd=one, on_budget="raise") as outer:
        with session("inner") as inner:
            call_openai(client, server.interactions[0])
            assert inner.spent_usd == one and inner.budget_usd is None
            with pytest.raises(BudgetExceededError) as refused:
                call_openai(client, server.interactions[0])
        assert outer.spent_usd == one
    assert refused.value.session_id == "outer"


def test_off_unless_set_never_raises_and_still_counts(server: ReplayServer, span_capture: SpanCapture) -> None:
    one = _one_call_cost(server)
    with openai_client(server.base_url) as client, session("s-free") as info:
        for _ in range(4):
            call_openai(client, server.interactions[0])
        assert current_session() is info
        assert info.spent_usd == 4 * one and info.budget_usd is None
    assert not any(e.name == sc.HP_BUDGET_EVENT for s in span_capture.spans() for e in s.events)
    with openai_client(server.base_url) as client:
        call_openai(client, server.interactions[0])  # no session: nothing to guard
    assert len(server.requests) == 5


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"budget_usd": -1}, ValueError),
    ({"budget_usd": "10"}, TypeError),
    ({"budget_usd": True}, TypeError),
    ({"budget_usd": float("inf")}, ValueError),
    ({"budget_usd": 1, "on_budget": "stop"}, ValueError),
])
def test_bad_budget_arguments_raise_at_construction(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error, match="budget"):
        session("s", **kwargs)
