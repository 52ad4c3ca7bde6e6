"""What goes on the wire for log / log_step, both spellings, and client-side validation (nothing sent)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from huggingplace_sdk import ValidationError
from huggingplace_sdk._wire import LOG_PATH, build_log_body, validate_wire_body

HarnessFactory = Any  # the conftest factory; typed loosely because conftest is not importable


async def test_log_request_line_headers_and_body(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.call(
        harness.client.log,
        {
            "user_prompt": "What is 2+2?",
            "response": "4",
            "llm_model": "gpt-4o-mini",
            "token_count": 12,
            "response_time": 0.8,
            "user_id": "u-1",
            "metadata": {"feature": "math"},
            "user_metadata": {"plan": "pro"},
            "custom_field": [1, 2],
        },
    )
    [request] = harness.server.requests
    assert request.method == "POST"
    assert str(request.url) == "https://hp.test/v2/chatgpt/store_generated_response"
    assert request.headers["authorization"] == f"Bearer {harness.api_key}"
    assert request.headers["content-type"] == "application/json"
    [body] = harness.server.bodies()
    message_id = body.pop("message_id")
    assert len(message_id) == 32 and int(message_id, 16) >= 0  # uuid4 hex
    assert body == {
        "user_prompt": "What is 2+2?",
        "response": "4",
        "ai_response": "4",
        "llm_model": "gpt-4o-mini",
        "token_count": 12,
        "response_time": 0.8,
        "user_id": "u-1",
        "metaData": {"feature": "math"},
        "user_meta_data": {"plan": "pro"},
        "custom_field": [1, 2],
        "org_id": "org-test",
        "mode": "prod",
    }


async def test_keyword_fields_and_mode(make_harness: HarnessFactory) -> None:
    harness = make_harness(mode="dev")
    await harness.call(harness.client.log, user_prompt="q", response="a")
    [body] = harness.server.bodies()
    assert (body["user_prompt"], body["response"], body["ai_response"]) == ("q", "a", "a")
    assert body["mode"] == "dev"


async def test_published_spellings_accepted(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.call(
        harness.client.log,
        {"user_prompt": "q", "ai_response": "a", "metaData": {"k": 1}, "user_meta_data": {"u": 2}},
    )
    [body] = harness.server.bodies()
    assert body["ai_response"] == "a"
    assert "response" not in body  # spelled ai_response only, sent so (as the published SDK does)
    assert body["metaData"] == {"k": 1}
    assert body["user_meta_data"] == {"u": 2}
    assert "metadata" not in body and "user_metadata" not in body


async def test_both_spellings_equal_is_fine_different_is_refused(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.call(harness.client.log, {"user_prompt": "q", "response": "a", "ai_response": "a"})
    assert len(harness.server.requests) == 1
    with pytest.raises(ValidationError) as caught:
        await harness.call(harness.client.log, {"user_prompt": "q", "response": "a", "ai_response": "b"})
    assert caught.value.field == "response"
    with pytest.raises(ValidationError) as caught:
        await harness.call(
            harness.client.log,
            {"user_prompt": "q", "response": "a", "metadata": {"x": 1}, "metaData": {"x": 2}},
        )
    assert caught.value.field == "metadata"
    assert len(harness.server.requests) == 1  # neither refused log was sent


async def test_caller_message_id_is_kept(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.call(harness.client.log, {"user_prompt": "q", "response": "a", "message_id": "mine-1"})
    assert harness.server.bodies()[0]["message_id"] == "mine-1"


async def test_each_log_gets_its_own_message_id(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    for _ in range(3):
        await harness.call(harness.client.log, {"user_prompt": "q", "response": "a"})
    assert len({body["message_id"] for body in harness.server.bodies()}) == 3


async def test_client_org_and_mode_win_over_caller_fields(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.call(
        harness.client.log, {"user_prompt": "q", "response": "a", "org_id": "evil", "mode": "x"}
    )
    body = harness.server.bodies()[0]
    assert (body["org_id"], body["mode"]) == ("org-test", "prod")


async def test_log_step_body(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    step = {
        "user_question": "Find flights",
        "prompt_response": "3 flights found",
        "llm_model": "claude-3-5-haiku",
        "token": 321,
        "response_time": 1.25,
        "step_name": "search",
    }
    await harness.call(harness.client.log_step, step)
    [body] = harness.server.bodies()
    assert body["user_prompt"] == "Find flights"
    assert body["response"] == body["ai_response"] == "3 flights found"
    assert body["llm_model"] == "claude-3-5-haiku"
    assert body["token_count"] == 321
    assert body["response_time"] == 1.25
    assert body["step_data"] == [step]
    assert (body["org_id"], body["mode"]) == ("org-test", "prod")
    assert "message_id" in body


async def test_log_step_minimal_sends_no_absent_figures(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.call(harness.client.log_step, {"user_question": "q", "prompt_response": "a"})
    body = harness.server.bodies()[0]
    assert "token_count" not in body and "llm_model" not in body and "response_time" not in body


BAD_LOGS: list[tuple[dict[str, Any], str]] = [
    ({"response": "a"}, "user_prompt"),
    ({"user_prompt": "q"}, "response"),
    ({"user_prompt": None, "response": "a"}, "user_prompt"),
    ({"user_prompt": 42, "response": "a"}, "user_prompt"),
    ({"user_prompt": "q", "response": ["a"]}, "response"),
    ({"user_prompt": "q", "response": "a", "token_count": -1}, "token_count"),
    ({"user_prompt": "q", "response": "a", "token_count": True}, "token_count"),
    ({"user_prompt": "q", "response": "a", "token_count": "12"}, "token_count"),
    ({"user_prompt": "q", "response": "a", "token_count": math.nan}, "token_count"),
    ({"user_prompt": "q", "response": "a", "response_time": -0.5}, "response_time"),
    ({"user_prompt": "q", "response": "a", "response_time": math.inf}, "response_time"),
    ({"user_prompt": "q", "response": "a", "step_data": {"a": 1}}, "step_data"),
    ({"user_prompt": "q", "response": "a", "step_data": [{"a": 1}, "x"]}, "step_data"),
    ({"user_prompt": "q", "response": "a", "metadata": ["x"]}, "metadata"),
    ({"user_prompt": "q", "response": "a", "metaData": "x"}, "metadata"),
    ({"user_prompt": "q", "response": "a", "user_metadata": 3}, "user_metadata"),
    ({"user_prompt": "q", "response": "a", "metadata": {1: "x"}}, "metadata"),
    ({"user_prompt": "q", "response": "a", "session_id": 7}, "session_id"),
    ({"user_prompt": "q", "response": "a", "user_id": ["u"]}, "user_id"),
    ({"user_prompt": "q", "response": "a", "llm_model": 4}, "llm_model"),
    ({"user_prompt": "q", "response": "a", "message_id": 4}, "message_id"),
    ({"user_prompt": "q", "response": "a", "extra": object()}, "extra"),
    ({"user_prompt": "q", "response": "a", "extra": math.nan}, "extra"),
]


@pytest.mark.parametrize(("options", "field"), BAD_LOGS)
async def test_invalid_log_raises_naming_field_and_sends_nothing(
    make_harness: HarnessFactory, options: dict[str, Any], field: str
) -> None:
    harness = make_harness()
    with pytest.raises(ValidationError) as caught:
        await harness.call(harness.client.log, options)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert caught.value.status_code is None
    assert harness.server.requests == []


BAD_STEPS: list[tuple[Any, str | None]] = [
    ({"prompt_response": "a"}, "user_question"),
    ({"user_question": "q"}, "prompt_response"),
    ({"user_question": 1, "prompt_response": "a"}, "user_question"),
    ({"user_question": "q", "prompt_response": None}, "prompt_response"),
    ({"user_question": "q", "prompt_response": "a", "token": -3}, "token"),
    ({"user_question": "q", "prompt_response": "a", "token": False}, "token"),
    ({"user_question": "q", "prompt_response": "a", "response_time": "fast"}, "response_time"),
    ({"user_question": "q", "prompt_response": "a", "llm_model": 5}, "llm_model"),
    (["user_question", "q"], None),
]


@pytest.mark.parametrize(("step", "field"), BAD_STEPS)
async def test_invalid_step_raises_naming_field_and_sends_nothing(
    make_harness: HarnessFactory, step: Any, field: str | None
) -> None:
    harness = make_harness()
    with pytest.raises(ValidationError) as caught:
        await harness.call(harness.client.log_step, step)
    assert caught.value.field == field
    assert harness.server.requests == []


async def test_options_and_keywords_may_not_disagree(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    with pytest.raises(ValidationError) as caught:
        await harness.call(harness.client.log, {"user_prompt": "q", "response": "a"}, response="b")
    assert caught.value.field == "response"
    assert harness.server.requests == []


# --- pure functions shared with the server and the exporter ----------------------------------------


def test_build_log_body_is_pure_and_uses_factory() -> None:
    body = build_log_body(
        {"user_prompt": "q", "response": "a", "metadata": None},
        org_id="o",
        mode="dev",
        message_id_factory=lambda: "fixed",
    )
    assert body == {
        "user_prompt": "q",
        "response": "a",
        "ai_response": "a",
        "org_id": "o",
        "mode": "dev",
        "message_id": "fixed",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], None),
        ({"user_prompt": "q", "response": "a", "mode": "prod"}, "org_id"),
        ({"user_prompt": "q", "response": "a", "org_id": 5}, "org_id"),
        ({"user_prompt": "q", "response": "a", "org_id": "o", "mode": "live"}, "mode"),
        ({"user_prompt": "q", "ai_response": "a", "org_id": "o", "token_count": -1}, "token_count"),
        ({"user_prompt": "q", "response": "a", "ai_response": "b", "org_id": "o"}, "response"),
        ({"user_prompt": "q", "org_id": "o"}, "response"),
    ],
)
def test_validate_wire_body_refuses(body: Any, field: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_wire_body(body)
    assert caught.value.field == field


def test_validate_wire_body_accepts_what_the_client_builds() -> None:
    validate_wire_body(
        build_log_body({"user_prompt": "q", "response": "a", "metadata": {"k": 1}}, org_id="o", mode="prod")
    )


def test_log_path_constant() -> None:
    assert LOG_PATH == "/v2/chatgpt/store_generated_response"
