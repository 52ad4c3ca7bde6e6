"""Wire identity: for every input the published SDK accepts, our body equals the published SDK's (but message_id).

The reference below is written from the published SDK's README (shared/seeds/004_e4e927ea9b1547d5.txt) and
the facts about the published SDK recorded in issue 10, not from our code:
- ``log(options)`` sends the caller's fields "in the exact format shown"; "no automatic transformation".
- The backend's spellings: ``metadata`` goes out as ``metaData`` and ``user_metadata`` as ``user_meta_data``
  (a caller may write either spelling).
- ``ai_response`` is a copy of ``response`` when the caller wrote ``response``; a caller who wrote only
  ``ai_response`` gets only ``ai_response``.
- The client's configured ``org_id`` and ``mode`` (default ``"prod"``) are part of every body.
- ``start_session(id).log(options)`` is ``log(options)`` with ``session_id`` set to the session's id.
Our one addition is a generated ``message_id`` when the caller gave none.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from huggingplace_sdk._server import INGEST_PATH, LocalServer

HarnessFactory = Any

ORG_ID = "org-test"  # the harness's client configuration (tests/client/conftest.py)
MODE = "prod"
_PUBLISHED_RENAMES = {"metadata": "metaData", "user_metadata": "user_meta_data"}


def published_body(options: dict[str, Any], *, session_id: str | None = None) -> dict[str, Any]:
    """The body the published SDK sends for ``log(options)`` (inside ``start_session(session_id)`` if given)."""
    body: dict[str, Any] = {}
    for name, value in options.items():
        body[_PUBLISHED_RENAMES.get(name, name)] = copy.deepcopy(value)
    if "response" in options:
        body["ai_response"] = options["response"]
    if session_id is not None:
        body["session_id"] = session_id
    body["org_id"] = ORG_ID
    body["mode"] = MODE
    return body


# The README's full log() example, verbatim in content.
README_FULL_EXAMPLE: dict[str, Any] = {
    "user_prompt": "What's the weather like?",
    "response": "The weather is sunny today.",
    "user_id": "user-123",
    "session_id": "session-456",
    "file_name": "weather_data.csv",
    "llm_model": "gpt-4o",
    "llm_model2": "gpt-4o",
    "token_count": 150,
    "response_time": 2.5,
    "message_id": "msg-789",
    "metadata": {
        "session_id": "session-456", "likes": 1, "dislikes": 0, "message_id": "msg-789",
        "recommendation_id": "rec-123",
    },
    "user_metadata": {"email": "user@example.com", "username": "john_doe", "org_name": "Example Corp"},
    "step_data": [
        {
            "id": 1, "type": "data_processing", "user_question": "Process weather data",
            "prompt_response": "Data processed successfully", "token": 120, "response_time": 1.8,
            "input_tokens": 40, "output_tokens": 80, "llm_model": "gpt-4o",
        }
    ],
    "user_roles": "admin",
    "org_uuid": "org-202",
    "mapping_table": "mappings_org_202",
}
# The README's "Manual Logging" example (no message_id: ours adds one).
README_MANUAL_EXAMPLE: dict[str, Any] = {
    "user_prompt": "How many sales were there last month?",
    "response": "There were 1,245 sales last month.",
    "user_id": "user-123",
    "session_id": "session-456",
    "file_name": "sales_data.csv",
    "llm_model": "gpt-4o",
    "token_count": 350,
    "response_time": 2.3,
    "metadata": {"session_id": "session-456", "likes": 0, "dislikes": 0, "recommendation_id": "rec-789"},
    "user_metadata": {"email": "user@example.com", "username": "john_doe", "org_name": "Example Corp"},
    "step_data": [
        {
            "id": 1, "type": "sql_generation", "user_question": "Generate SQL to find last month's sales",
            "prompt_response": "SELECT COUNT(*) FROM sales WHERE...", "token": 150, "response_time": 1.5,
            "input_tokens": 50, "output_tokens": 100, "llm_model": "gpt-4o",
        }
    ],
    "user_roles": "admin",
    "org_uuid": "org-202",
    "mapping_table": "mappings_org_202",
}

BASE = {"user_prompt": "What's the weather like?", "response": "The weather is sunny today."}
AI_ONLY = {"user_prompt": "Test prompt", "ai_response": "Test response"}

# (case id, log options, session id or None)
TABLE: list[tuple[str, dict[str, Any], str | None]] = [
    ("readme-quick-start", {**BASE, "metadata": {"session_id": "session-123", "user_id": "user-456"}}, None),
    ("readme-full-example", README_FULL_EXAMPLE, None),
    ("readme-manual-logging", README_MANUAL_EXAMPLE, None),
    ("readme-error-handling", {"user_prompt": "Test prompt", "response": "Test response"}, None),
    ("response-only", BASE, None),
    ("ai_response-only", AI_ONLY, None),
    ("response-and-ai_response", {**BASE, "ai_response": BASE["response"]}, None),
    ("metadata", {**BASE, "metadata": {"likes": 1}}, None),
    ("metaData", {**BASE, "metaData": {"likes": 1}}, None),
    ("user_metadata", {**BASE, "user_metadata": {"username": "john_doe"}}, None),
    ("user_meta_data", {**BASE, "user_meta_data": {"username": "john_doe"}}, None),
    ("ai_response-metaData-user_meta_data", {**AI_ONLY, "metaData": {"a": 1}, "user_meta_data": {"b": 2}}, None),
    ("step_data", {**BASE, "step_data": README_FULL_EXAMPLE["step_data"]}, None),
    ("step_data-empty", {**BASE, "step_data": []}, None),
    ("user_roles", {**BASE, "user_roles": "admin"}, None),
    ("org_uuid", {**BASE, "org_uuid": "org-202"}, None),
    ("mapping_table", {**BASE, "mapping_table": "mappings_org_202"}, None),
    ("file_name", {**BASE, "file_name": "weather_data.csv"}, None),
    ("llm_model-and-llm_model2", {**BASE, "llm_model": "gpt-4o", "llm_model2": "claude-3-5-sonnet"}, None),
    ("figures", {**BASE, "token_count": 150, "response_time": 2.5}, None),
    ("message_id-given", {**BASE, "message_id": "msg-789"}, None),
    ("session-readme-step-1", {**BASE, "metadata": {"step": 1}}, "conversation-123"),
    ("session-readme-step-2",
     {"user_prompt": "What about tomorrow?", "response": "Tomorrow will be cloudy with a chance of rain.",
      "metadata": {"step": 2}}, "conversation-123"),
    ("session-ai_response-only", AI_ONLY, "my-session-id"),
    ("session-full-example", {k: v for k, v in README_MANUAL_EXAMPLE.items() if k != "session_id"}, "s-9"),
]


@pytest.mark.parametrize(("options", "session_id"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
async def test_body_equals_the_published_sdks_for_the_same_input(
    options: dict[str, Any], session_id: str | None, make_harness: HarnessFactory
) -> None:
    harness = make_harness()
    given = copy.deepcopy(options)
    if session_id is None:
        await harness.call(harness.client.log, given)
    else:
        await harness.call(harness.client.start_session(session_id).log, given)
    assert given == options  # the caller's dict is not modified
    [body] = harness.server.bodies()  # parsed JSON, as the server sees it
    expected = published_body(options, session_id=session_id)
    if "message_id" not in options:
        assert isinstance(body.pop("message_id"), str)  # our one addition
    assert body == expected


def test_the_strict_local_server_accepts_every_published_body() -> None:
    with LocalServer(strict=True, api_key=None) as server, httpx.Client(base_url=server.url) as http:
        for case, options, session_id in TABLE:
            answer = http.post(INGEST_PATH, json=published_body(options, session_id=session_id))
            assert answer.status_code == 200, (case, answer.text)
        assert server.store.count() == len(TABLE) - 1  # two cases give message_id msg-789: stored once
