"""End to end with the SDK's own scopes: instrument(huggingplace=exporter), session(), trace_step(), flush()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider

import huggingplace_sdk


@pytest.fixture
def instrumented(make_exporter: Any) -> Iterator[Any]:
    # The default late-child wait: only an explicit flush gets the interaction out promptly.
    exporter = make_exporter(late_child_wait=2.0)
    handle = huggingplace_sdk.instrument([], tracer_provider=TracerProvider(shutdown_on_exit=False),
                                         huggingplace=exporter)
    try:
        yield exporter
    finally:
        handle.shutdown(timeout=2.0)


def test_session_and_nested_steps_arrive_as_one_log_after_flush(server: Any, instrumented: Any) -> None:
    with huggingplace_sdk.session("sess-42", user_id="user-9", plan="pro"), huggingplace_sdk.trace_step(
        "answer", type="agent", user_question="What is the weather?"
    ) as step:
        with huggingplace_sdk.trace_step("lookup", type="tool", tool_call_id="call_7"):
            pass
        with huggingplace_sdk.trace_step("summarise"):
            pass
        step.prompt_response = "Sunny."

    assert huggingplace_sdk.flush(5.0)
    [log] = server.store.logs()
    assert (log["user_prompt"], log["response"], log["ai_response"]) == (
        "What is the weather?", "Sunny.", "Sunny.")
    assert (log["session_id"], log["user_id"]) == ("sess-42", "user-9")
    assert log["user_meta_data"] == {"plan": "pro"}
    assert [(s["type"], s["name"]) for s in log["step_data"]] == [("tool", "lookup"), ("step", "summarise")]
    assert log["step_data"][0]["tool_call_id"] == "call_7"
    assert log["metaData"]["step_type"] == "agent" and log["metaData"]["span_count"] == 3
