"""One structured log line per attempt outcome; the API key never shows in logs, reprs or exceptions."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from huggingplace_sdk import AuthenticationError, NetworkError
from huggingplace_sdk._config import mask_secret
from huggingplace_sdk._transport import SenderSettings

HarnessFactory = Any
LOG = {"user_prompt": "q", "response": "a"}


def _hp_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "huggingplace"]


async def test_text_lines_one_per_attempt(
    make_harness: HarnessFactory, caplog: pytest.LogCaptureFixture
) -> None:
    harness = make_harness([503], random_source=lambda: 1.0)
    with caplog.at_level(logging.DEBUG):
        await harness.call(harness.client.log, LOG)
    message_id = harness.server.bodies()[0]["message_id"]
    first, second = _hp_records(caplog)
    assert first.levelno == logging.WARNING
    assert first.getMessage().startswith("POST /v2/chatgpt/store_generated_response ")
    for fragment in (
        "status=503",
        "attempt=1",
        "outcome=retry",
        "error=ServerError",
        f"message_id={message_id}",
    ):
        assert fragment in first.getMessage()
    assert "latency_ms=" in first.getMessage()
    assert second.levelno == logging.INFO
    for fragment in ("status=200", "attempt=2", "outcome=ok", f"message_id={message_id}"):
        assert fragment in second.getMessage()
    assert second.huggingplace["status"] == 200  # type: ignore[attr-defined]


async def test_json_lines(make_harness: HarnessFactory, caplog: pytest.LogCaptureFixture) -> None:
    harness = make_harness(
        [httpx.ConnectError("refused")] * 2, max_retries=1, log_format="json", random_source=lambda: 1.0
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(NetworkError):
        await harness.call(harness.client.log, LOG)
    lines = [json.loads(record.getMessage()) for record in _hp_records(caplog)]
    message_id = harness.server.bodies()[0]["message_id"]
    assert [(line["attempt"], line["outcome"], line["status"]) for line in lines] == [
        (1, "retry", None),
        (2, "failed", None),
    ]
    for line in lines:
        assert line["method"] == "POST"
        assert line["path"] == "/v2/chatgpt/store_generated_response"
        assert line["message_id"] == message_id
        assert line["error"] == "NetworkError"
        assert isinstance(line["latency_ms"], float)


async def test_key_never_in_logs_reprs_or_exceptions(
    make_harness: HarnessFactory, caplog: pytest.LogCaptureFixture
) -> None:
    harness = make_harness()
    key = harness.api_key
    echo = httpx.Response(401, json={"message": f"invalid key {key}", "hint": f"Bearer {key}"})
    harness.server.script = [echo]
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as caught:
        await harness.call(harness.client.log, LOG)
    session = harness.client.start_session("s")
    texts = [
        str(caught.value),
        repr(caught.value),
        repr(harness.client),
        str(harness.client),
        repr(harness.client.config),
        str(harness.client.config),
        repr(session),
        caplog.text,
        *(str(record.__dict__) for record in caplog.records),
    ]
    for text in texts:
        assert key not in text
    assert mask_secret(key) in str(caught.value)  # the echo is scrubbed, not silently dropped
    assert mask_secret(key) in repr(harness.client)
    assert mask_secret(key) in repr(harness.client.config)
    # The key does go where it must: the Authorization header.
    assert harness.server.requests[0].headers["authorization"] == f"Bearer {key}"


def test_mask_secret_shapes() -> None:
    assert mask_secret("hp-0123456789abcd") == "hp-…abcd"
    assert mask_secret("short") == "***"


def test_sender_settings_repr_masks_key() -> None:
    settings = SenderSettings(base_url="https://hp.test", api_key="hp-sender-secret-0000wxyz")
    assert "hp-sender-secret-0000wxyz" not in repr(settings)
    assert "hp-…wxyz" in repr(settings)
