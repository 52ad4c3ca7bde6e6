"""Every response status and transport failure maps to its error class, with the server's own text."""

from __future__ import annotations

import builtins
from typing import Any

import httpx
import pytest

import huggingplace_sdk
from huggingplace_sdk import (
    AuthenticationError,
    HuggingPlaceError,
    NetworkError,
    RateLimitError,
    ServerError,
    ValidationError,
)

HarnessFactory = Any
LOG = {"user_prompt": "q", "response": "a"}


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_any_2xx_is_success(make_harness: HarnessFactory, status: int) -> None:
    answer = {"success": True, "id": "log-9"}
    response = httpx.Response(status) if status == 204 else httpx.Response(status, json=answer)
    harness = make_harness([response])
    result = await harness.call(harness.client.log, LOG)
    assert result == (None if status == 204 else answer)
    assert len(harness.server.requests) == 1
    assert harness.client.get_metrics()["successes"] == 1


@pytest.mark.parametrize(
    ("status", "payload", "error_class", "text"),
    [
        (401, {"message": "Invalid API key"}, AuthenticationError, "Invalid API key"),
        (403, {"error": "Organisation suspended"}, AuthenticationError, "Organisation suspended"),
        (
            400,
            {"message": "user_prompt is required", "field": "user_prompt"},
            ValidationError,
            "user_prompt is",
        ),
        (
            422,
            {"error": {"message": "token_count must be >= 0"}},
            ValidationError,
            "token_count must be >= 0",
        ),
        (429, {"message": "Slow down"}, RateLimitError, "Slow down"),
        (500, {"message": "database on fire"}, ServerError, "database on fire"),
        (503, {"error": "maintenance"}, ServerError, "maintenance"),
        (404, {"message": "no such route"}, HuggingPlaceError, "no such route"),
    ],
)
async def test_error_statuses_map_to_classes_with_server_text(
    make_harness: HarnessFactory,
    status: int,
    payload: dict[str, Any],
    error_class: type[HuggingPlaceError],
    text: str,
) -> None:
    harness = make_harness([httpx.Response(status, json=payload)] * 10, max_retries=0)
    with pytest.raises(error_class) as caught:
        await harness.call(harness.client.log, LOG)
    assert type(caught.value) is error_class
    assert caught.value.status_code == status
    assert text in str(caught.value)
    assert str(status) in str(caught.value)


async def test_server_validation_error_carries_field(make_harness: HarnessFactory) -> None:
    harness = make_harness([httpx.Response(400, json={"message": "bad", "field": "token_count"})])
    with pytest.raises(ValidationError) as caught:
        await harness.call(harness.client.log, LOG)
    assert caught.value.field == "token_count"


async def test_plain_text_error_body_is_quoted(make_harness: HarnessFactory) -> None:
    harness = make_harness([httpx.Response(502, text="Bad Gateway from upstream proxy")], max_retries=0)
    with pytest.raises(ServerError, match="Bad Gateway from upstream proxy") as caught:
        await harness.call(harness.client.log, LOG)
    assert caught.value.status_code == 502


async def test_read_timeout_becomes_timeout_error(make_harness: HarnessFactory) -> None:
    harness = make_harness([httpx.ReadTimeout("read timed out")], max_retries=0)
    with pytest.raises(huggingplace_sdk.TimeoutError) as caught:
        await harness.call(harness.client.log, LOG)
    assert isinstance(caught.value, builtins.TimeoutError)
    assert isinstance(caught.value, HuggingPlaceError)
    assert caught.value.status_code is None
    assert "timed out" in str(caught.value)
    # Not chained to the httpx error, whose .request carries the Authorization header.
    assert caught.value.__cause__ is None and caught.value.__context__ is None


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("connection refused"), httpx.RemoteProtocolError("peer closed")]
)
async def test_connection_failures_become_network_error(
    make_harness: HarnessFactory, failure: Exception
) -> None:
    harness = make_harness([failure], max_retries=0)
    with pytest.raises(NetworkError) as caught:
        await harness.call(harness.client.log, LOG)
    assert str(failure) in str(caught.value)
    assert caught.value.status_code is None


def test_timeout_error_is_exported_without_shadowing_inside_our_modules() -> None:
    from huggingplace_sdk import _errors, _transport

    assert huggingplace_sdk.TimeoutError is _errors.HuggingPlaceTimeoutError
    assert "TimeoutError" in huggingplace_sdk.__all__
    assert not hasattr(_errors, "TimeoutError") and not hasattr(_transport, "TimeoutError")
    assert issubclass(huggingplace_sdk.TimeoutError, builtins.TimeoutError)


def test_error_attributes_and_plain_construction() -> None:
    error = RateLimitError("HTTP 429: slow", retry_after=2.0)
    assert (error.status_code, error.retry_after, error.message) == (429, 2.0, "HTTP 429: slow")
    timeout = huggingplace_sdk.TimeoutError("took too long")
    assert str(timeout) == "took too long" and timeout.status_code is None
