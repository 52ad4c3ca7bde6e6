"""Sessions stamp their id and merge default metadata AND user metadata; per-call keys win."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from huggingplace_sdk import LogSession, SyncLogSession, ValidationError

HarnessFactory = Any


async def test_session_log_merges_metadata_and_user_metadata(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session(
        "sess-1", metadata={"app": "web", "env": "staging"}, user_metadata={"plan": "free", "country": "FR"}
    )
    assert isinstance(session, LogSession if harness.kind == "async" else SyncLogSession)
    await harness.call(
        session.log,
        {"user_prompt": "q", "response": "a", "metadata": {"env": "prod"}, "user_metadata": {"plan": "pro"}},
    )
    [body] = harness.server.bodies()
    assert body["session_id"] == "sess-1"
    assert body["metaData"] == {"app": "web", "env": "prod"}
    assert body["user_meta_data"] == {"plan": "pro", "country": "FR"}


async def test_session_defaults_apply_when_call_gives_none(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session(metadata={"app": "web"}, user_metadata={"tier": 2})
    await harness.call(session.log, user_prompt="q", response="a")
    body = harness.server.bodies()[0]
    assert body["metaData"] == {"app": "web"}
    assert body["user_meta_data"] == {"tier": 2}


async def test_session_accepts_published_spellings(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session("s", metadata={"a": 1}, user_metadata={"u": 1})
    await harness.call(
        session.log,
        {"user_prompt": "q", "ai_response": "a", "metaData": {"b": 2}, "user_meta_data": {"v": 2}},
    )
    body = harness.server.bodies()[0]
    assert body["metaData"] == {"a": 1, "b": 2}
    assert body["user_meta_data"] == {"u": 1, "v": 2}


async def test_session_log_step_is_stamped(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session(
        "sess-2", metadata={"flow": "booking"}, user_metadata={"vip": True}
    )
    step = {"user_question": "book", "prompt_response": "booked", "token": 5}
    await harness.call(session.log_step, step)
    body = harness.server.bodies()[0]
    assert body["session_id"] == "sess-2"
    assert body["metaData"] == {"flow": "booking"}
    assert body["user_meta_data"] == {"vip": True}
    assert body["step_data"] == [step]
    assert body["token_count"] == 5


async def test_generated_session_id_is_stable_per_session(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    first = harness.client.start_session()
    second = harness.client.start_session()
    assert first.session_id != second.session_id
    assert uuid.UUID(first.session_id).version == 4
    await harness.call(first.log, user_prompt="q1", response="a1")
    await harness.call(first.log, user_prompt="q2", response="a2")
    assert {body["session_id"] for body in harness.server.bodies()} == {first.session_id}


async def test_session_defaults_are_copied(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    metadata = {"a": 1}
    session = harness.client.start_session("s", metadata=metadata)
    metadata["a"] = 2  # the caller's dict changing later does not leak into the session
    session.metadata["b"] = 3  # nor does mutating the property's copy
    await harness.call(session.log, user_prompt="q", response="a")
    assert harness.server.bodies()[0]["metaData"] == {"a": 1}


async def test_conflicting_session_id_is_refused(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session("mine")
    await harness.call(session.log, user_prompt="q", response="a", session_id="mine")  # same id: fine
    with pytest.raises(ValidationError) as caught:
        await harness.call(session.log, user_prompt="q", response="a", session_id="other")
    assert caught.value.field == "session_id"
    assert len(harness.server.requests) == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"session_id": 5}, "session_id"),
        ({"session_id": ""}, "session_id"),
        ({"metadata": ["x"]}, "metadata"),
        ({"user_metadata": "x"}, "user_metadata"),
    ],
)
def test_bad_session_arguments(make_harness: HarnessFactory, arguments: dict[str, Any], field: str) -> None:
    harness = make_harness()
    with pytest.raises(ValidationError) as caught:
        harness.client.start_session(**arguments)
    assert caught.value.field == field


async def test_session_invalid_log_sends_nothing(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session("s", metadata={"a": 1})
    with pytest.raises(ValidationError):
        await harness.call(session.log, {"user_prompt": "q", "response": "a", "metadata": "nope"})
    assert harness.server.requests == []


async def test_session_repr(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    session = harness.client.start_session("sess-r")
    assert "sess-r" in repr(session)
