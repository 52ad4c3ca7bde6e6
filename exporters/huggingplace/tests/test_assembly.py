"""Trace assembly: nested steps, late (async) children, orphans, partial roots and the memory bounds.

Spans come from a real TracerProvider into an in-memory exporter; the test then feeds them to the
assembler in the order a processor would (end order) and moves the fake clock explicitly.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from huggingplace_exporter._assembly import TraceAssembler
from huggingplace_exporter._convert import interaction_to_log_options
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

T0 = 1_700_000_000_000_000_000  # ns


class SpanFactory:
    """Starts and ends spans at explicit times; ``ended`` lists them in end order, like a processor sees."""

    def __init__(self) -> None:
        self.memory = InMemorySpanExporter()
        provider = TracerProvider(shutdown_on_exit=False)
        provider.add_span_processor(SimpleSpanProcessor(self.memory))
        self.tracer = provider.get_tracer("assembly-tests")

    def start(self, name: str, at_ms: int, parent: Any = None, **attributes: Any) -> trace.Span:
        context = trace.set_span_in_context(parent) if isinstance(parent, trace.Span) else parent
        return self.tracer.start_span(
            name, context=context, start_time=T0 + at_ms * 1_000_000,
            attributes={k.replace("__", "."): v for k, v in attributes.items()},
        )

    @staticmethod
    def end(span: trace.Span, at_ms: int) -> None:
        span.end(end_time=T0 + at_ms * 1_000_000)

    @property
    def ended(self) -> list[ReadableSpan]:
        return list(self.memory.get_finished_spans())


def assembler(clock: Any, **overrides: Any) -> TraceAssembler:
    settings: dict[str, Any] = {
        "late_child_wait": 2.0, "partial_after": 60.0, "max_spans_per_trace": 100, "max_open_traces": 100,
        "clock": clock,
    }
    settings.update(overrides)
    return TraceAssembler(**settings)


def hex16(span: Any) -> str:
    return f"{span.get_span_context().span_id:016x}"


def test_nested_steps_become_one_log_with_step_data_in_start_order(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step plan", 0, huggingplace__step__type="agent", huggingplace__step__name="plan",
                   huggingplace__step__user_question="Plan my trip", huggingplace__step__prompt_response="Done",
                   session__id="sess-1", user__id="user-7", huggingplace__session__metadata__tier="gold")
    research = f.start("trace_step research", 10, root, huggingplace__step__type="retrieval",
                       huggingplace__step__name="research", huggingplace__step__usage__input_tokens=100,
                       huggingplace__step__usage__output_tokens=20)
    chat1 = f.start("chat gpt-4o", 20, research, gen_ai__operation__name="chat",
                    gen_ai__request__model="gpt-4o", gen_ai__response__model="gpt-4o-2024-08-06",
                    gen_ai__usage__input_tokens=100, gen_ai__usage__output_tokens=20)
    f.end(chat1, 120)
    f.end(research, 130)
    tool = f.start("execute_tool get_weather", 140, root, gen_ai__operation__name="execute_tool",
                   gen_ai__tool__name="get_weather", gen_ai__tool__call__id="call_1")
    f.end(tool, 150)
    chat2 = f.start("chat claude", 160, root, gen_ai__operation__name="chat",
                    gen_ai__request__model="claude-sonnet-4", gen_ai__usage__input_tokens=50,
                    gen_ai__usage__output_tokens=7)
    f.end(chat2, 300)
    f.end(root, 310)

    asm = assembler(clock)
    assert asm.add(f.ended) == []  # the root waits for late children
    clock.advance(2.0)
    [interaction] = asm.release_due()
    log = interaction_to_log_options(interaction)

    assert [s["id"] for s in log["step_data"]] == [hex16(research), hex16(chat1), hex16(tool), hex16(chat2)]
    assert [s["parent_id"] for s in log["step_data"]] == [hex16(root), hex16(research), hex16(root), hex16(root)]
    assert [s["type"] for s in log["step_data"]] == ["retrieval", "llm", "tool", "llm"]
    assert [s["name"] for s in log["step_data"]] == ["research", "chat gpt-4o", "get_weather", "chat claude"]
    assert log["step_data"][0]["token"] == 120  # the step's own roll-up
    assert log["step_data"][1]["llm_model"] == "gpt-4o-2024-08-06"  # response model wins
    assert log["step_data"][1]["response_time"] == pytest.approx(0.1)
    assert log["step_data"][2]["tool_call_id"] == "call_1"
    assert log["user_prompt"] == "Plan my trip" and log["response"] == "Done"
    assert log["token_count"] == 100 + 20 + 50 + 7  # LLM calls only: the roll-up is not counted twice
    assert (log["llm_model"], log["llm_model2"]) == ("gpt-4o-2024-08-06", "claude-sonnet-4")
    assert log["response_time"] == pytest.approx(0.31)
    assert (log["session_id"], log["user_id"]) == ("sess-1", "user-7")
    assert log["user_metadata"] == {"tier": "gold"}
    assert log["metadata"]["span_count"] == 5 and log["metadata"]["partial"] is False
    assert log["metadata"]["trace_id"] == f"{root.get_span_context().trace_id:032x}"


def test_async_child_ending_after_the_root_is_included_within_the_wait(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step handle", 0, huggingplace__step__type="agent")
    background = f.start("chat gpt-4o", 5, root, gen_ai__operation__name="chat", gen_ai__request__model="m")
    f.end(root, 10)
    asm = assembler(clock)
    asm.add(f.ended)
    clock.advance(1.5)
    assert asm.release_due() == []
    f.end(background, 1500)  # a fire-and-forget task finishing after its parent
    asm.add(f.ended[-1:])
    clock.advance(0.5)
    [interaction] = asm.release_due()
    log = interaction_to_log_options(interaction)
    assert [s["id"] for s in log["step_data"]] == [hex16(background)]
    assert len(asm) == 0


def test_child_later_than_the_wait_goes_out_as_its_own_partial_interaction(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step handle", 0, huggingplace__step__type="agent")
    late = f.start("chat gpt-4o", 5, root, gen_ai__operation__name="chat")
    f.end(root, 10)
    asm = assembler(clock, partial_after=30.0)
    asm.add(f.ended)
    clock.advance(2.0)
    [complete] = asm.release_due()
    f.end(late, 9000)
    asm.add(f.ended[-1:])
    clock.advance(29.0)
    assert asm.release_due() == []
    clock.advance(1.0)
    [partial] = asm.release_due()
    assert partial.partial and [s.name for s in partial.spans] == ["chat gpt-4o"]
    full_log, partial_log = interaction_to_log_options(complete), interaction_to_log_options(partial)
    assert partial_log["metadata"]["partial"] is True
    assert partial_log["metadata"]["root_span_id"] == hex16(root)  # named after its missing parent
    assert partial_log["message_id"] != full_log["message_id"]
    assert asm.counters.partial_interactions == 1


def test_orphan_whose_parent_never_arrives_is_kept_under_the_root(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step handle", 0, huggingplace__step__type="agent")
    middle = f.start("trace_step inner", 1, root, huggingplace__step__type="inner")  # never ends
    orphan = f.start("chat gpt-4o", 2, middle, gen_ai__operation__name="chat")
    f.end(orphan, 3)
    f.end(root, 4)
    asm = assembler(clock)
    asm.add(f.ended)
    [interaction] = asm.release_due(flush=True)
    [step] = interaction_to_log_options(interaction)["step_data"]
    assert step["id"] == hex16(orphan) and step["parent_id"] == hex16(middle)


def test_root_that_never_ends_is_sent_as_partial_after_the_idle_bound(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step stuck", 0, huggingplace__step__type="agent", session__id="s-partial")
    # Every span inside session() carries the session attributes, so the partial keeps its session.
    child = f.start("chat gpt-4o", 1, root, gen_ai__operation__name="chat", gen_ai__usage__input_tokens=4,
                    gen_ai__usage__output_tokens=1, session__id="s-partial")
    f.end(child, 2)
    asm = assembler(clock, partial_after=60.0)
    asm.add(f.ended)
    assert asm.release_due(flush=True) == []  # a flush does not cut open interactions short
    clock.advance(59.9)
    assert asm.release_due() == []
    clock.advance(0.1)
    [interaction] = asm.release_due()
    log = interaction_to_log_options(interaction)
    assert log["metadata"]["partial"] is True and log["metadata"]["status"] == "partial"
    assert log["session_id"] == "s-partial"
    assert log["token_count"] == 5
    assert [s["id"] for s in log["step_data"]] == [hex16(child)]


def test_final_release_sends_open_interactions_as_partial(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step stuck", 0)
    f.end(f.start("chat", 1, root, gen_ai__operation__name="chat"), 2)
    asm = assembler(clock)
    asm.add(f.ended)
    [interaction] = asm.release_due(final=True)
    assert interaction.partial


def test_two_local_roots_under_remote_parents_in_one_trace_are_two_interactions(
    clock: Any, remote_parent: Any
) -> None:
    f = SpanFactory()
    incoming = remote_parent(trace_id=0xFEED, span_id=0x1)
    first = f.start("handle 1", 0, incoming, huggingplace__step__type="agent")
    first_child = f.start("chat a", 1, first, gen_ai__operation__name="chat")
    f.end(first_child, 2)
    f.end(first, 3)
    second = f.start("handle 2", 4, remote_parent(trace_id=0xFEED, span_id=0x2), huggingplace__step__type="agent")
    second_child = f.start("chat b", 5, second, gen_ai__operation__name="chat")
    f.end(second_child, 6)
    asm = assembler(clock)
    asm.add(f.ended)
    [one] = asm.release_due(flush=True)
    assert [s.name for s in one.spans] == ["chat a", "handle 1"]
    assert len(asm) == 1  # the second root has not ended: its child stays buffered
    f.end(second, 7)
    asm.add(f.ended[-1:])
    [two] = asm.release_due(flush=True)
    assert sorted(s.name for s in two.spans) == ["chat b", "handle 2"]
    log = interaction_to_log_options(one)
    assert log["step_data"][0]["parent_id"] == hex16(first)


def test_spans_beyond_max_spans_per_trace_are_counted_and_flagged(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("root", 0, huggingplace__step__type="agent")
    for i in range(10):
        f.end(f.start(f"chat {i}", i + 1, root, gen_ai__operation__name="chat"), i + 2)
    f.end(root, 20)
    asm = assembler(clock, max_spans_per_trace=4)
    asm.add(f.ended)
    [interaction] = asm.release_due(flush=True)
    assert len(interaction.spans) == 5  # four children, and the root is always kept
    assert interaction.dropped_spans == 6 == asm.counters.spans_dropped_trace_full
    assert interaction_to_log_options(interaction)["metadata"]["dropped_spans"] == 6


def test_open_traces_beyond_the_bound_are_evicted_oldest_first_and_counted(clock: Any) -> None:
    f = SpanFactory()
    for i in range(25):  # 25 traces whose roots are still running
        root = f.start(f"root {i}", i)
        f.end(f.start(f"child {i}", i, root), i + 1)
    asm = assembler(clock, max_open_traces=10)
    released = asm.add(f.ended)
    assert len(asm) == 10
    assert asm.counters.traces_evicted == 15 == len(released)
    assert [i.spans[0].name for i in released] == [f"child {i}" for i in range(15)]
    assert all(i.partial for i in released)


def test_content_placeholders_without_capture_and_real_text_with_it(clock: Any) -> None:
    f = SpanFactory()
    bare = f.start("chat gpt-4o", 0, gen_ai__operation__name="chat", gen_ai__request__model="gpt-4o")
    f.end(bare, 1)
    messages_in = [
        {"role": "system", "parts": [{"type": "text", "content": "be brief"}]},
        {"role": "user", "parts": [{"type": "text", "content": "first"}]},
        {"role": "assistant", "parts": [{"type": "text", "content": "ok"}]},
        {"role": "user", "parts": [{"type": "text", "content": "What is 2+2?"}]},
    ]
    messages_out = [{"role": "assistant", "parts": [{"type": "text", "content": "4"}], "finish_reason": "stop"}]
    captured = f.start("chat gpt-4o", 2, gen_ai__operation__name="chat", gen_ai__request__model="gpt-4o",
                       gen_ai__input__messages=json.dumps(messages_in),
                       gen_ai__output__messages=json.dumps(messages_out))
    f.end(captured, 3)
    asm = assembler(clock)
    asm.add(f.ended)
    first, second = (interaction_to_log_options(i) for i in asm.release_due(flush=True))
    from huggingplace_exporter import CONTENT_NOT_CAPTURED

    assert first["user_prompt"] == first["response"] == CONTENT_NOT_CAPTURED
    # A bare LLM call is the interaction itself: no steps; its model and name are the log's own.
    assert first["step_data"] == [] and first["llm_model"] == "gpt-4o"
    assert (first["metadata"]["root_name"], first["metadata"]["root_kind"]) == ("chat gpt-4o", "internal")
    assert (second["user_prompt"], second["response"]) == ("What is 2+2?", "4")
    assert second["step_data"] == []


def test_error_status_and_type_reach_the_step(clock: Any) -> None:
    f = SpanFactory()
    root = f.start("trace_step risky", 0, huggingplace__step__type="agent")
    failing = f.start("chat gpt-4o", 1, root, gen_ai__operation__name="chat", error__type="RateLimitError")
    failing.set_status(Status(StatusCode.ERROR, "slow down"))
    f.end(failing, 2)
    f.end(root, 3)
    asm = assembler(clock)
    asm.add(f.ended)
    [interaction] = asm.release_due(flush=True)
    [step] = interaction_to_log_options(interaction)["step_data"]
    assert (step["status"], step["error"]) == ("error", "RateLimitError: slow down")


@pytest.mark.parametrize("root_errors", [False, True], ids=["ok", "error"])
def test_a_plain_root_span_is_the_interaction_and_only_its_descendants_are_steps(
    clock: Any, root_errors: bool
) -> None:
    f = SpanFactory()
    server_span = f.tracer.start_span(
        "GET /answer", kind=trace.SpanKind.SERVER, start_time=T0, attributes={"http.route": "/answer"}
    )
    tool = f.start("execute_tool lookup", 2, server_span, gen_ai__operation__name="execute_tool",
                   gen_ai__tool__name="lookup")
    chat = f.start("chat gpt-4o", 1, server_span, gen_ai__operation__name="chat", gen_ai__request__model="gpt-4o",
                   gen_ai__usage__input_tokens=7, gen_ai__usage__output_tokens=2)
    nested = f.start("chat gpt-4o-mini", 3, tool, gen_ai__operation__name="chat",
                     gen_ai__request__model="gpt-4o-mini")
    for span, at in ((chat, 2), (nested, 4), (tool, 5)):
        f.end(span, at)
    if root_errors:
        server_span.set_attribute("error.type", "500")
        server_span.set_status(Status(StatusCode.ERROR, "upstream failed"))
    f.end(server_span, 6)
    asm = assembler(clock)
    asm.add(f.ended)
    [interaction] = asm.release_due(flush=True)
    log = interaction_to_log_options(interaction)

    root_id = hex16(server_span)
    assert [step["id"] for step in log["step_data"]] == [hex16(chat), hex16(tool), hex16(nested)]  # start order
    assert root_id not in [step["id"] for step in log["step_data"]]
    assert [step["parent_id"] for step in log["step_data"]] == [root_id, root_id, hex16(tool)]
    metadata = log["metadata"]
    assert (metadata["root_name"], metadata["root_kind"], metadata["root_span_id"]) == (
        "GET /answer", "server", root_id
    )
    assert metadata["span_count"] == 4
    assert (log["token_count"], log["llm_model"], log["llm_model2"]) == (9, "gpt-4o", "gpt-4o-mini")
    assert log["response_time"] == pytest.approx(0.006)
    if root_errors:
        assert (metadata["status"], metadata["error"]) == ("error", "500: upstream failed")
    else:
        assert metadata["status"] == "ok" and "error" not in metadata
