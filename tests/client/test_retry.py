"""Retries under scripted fault sequences: backoff schedule, Retry-After, attempt cap, deadline, message_id.

Expected delays come from the documented policy (base 0.5 s doubling, capped at 8 s, full jitter scaled
by the injected random source), not from calling our code.
"""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest

import huggingplace_sdk
from huggingplace_sdk import (
    AuthenticationError,
    HuggingPlaceError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from huggingplace_sdk._retry import RetryPolicy, parse_retry_after

HarnessFactory = Any
LOG = {"user_prompt": "q", "response": "a"}
ALWAYS_TOP = {"random_source": lambda: 1.0}  # jitter at the top of each window: delays are the window caps


async def test_backoff_schedule_then_success(make_harness: HarnessFactory) -> None:
    harness = make_harness([503, 502, 504], **ALWAYS_TOP)
    result = await harness.call(harness.client.log, LOG)
    assert result == {"success": True}
    assert harness.sleeps == [0.5, 1.0, 2.0]
    assert len(harness.server.requests) == 4
    metrics = harness.client.get_metrics()
    assert (metrics["requests"], metrics["attempts"], metrics["retries"], metrics["successes"]) == (
        1,
        4,
        3,
        1,
    )
    assert metrics["failures"] == {}


async def test_full_jitter_scales_each_window(make_harness: HarnessFactory) -> None:
    harness = make_harness([503, 503, 503], random_source=lambda: 0.25)
    await harness.call(harness.client.log, LOG)
    assert harness.sleeps == [0.125, 0.25, 0.5]


async def test_retries_exhausted_raises_last_error(make_harness: HarnessFactory) -> None:
    harness = make_harness([503] * 10, **ALWAYS_TOP)
    with pytest.raises(ServerError) as caught:
        await harness.call(harness.client.log, LOG)
    assert caught.value.status_code == 503
    assert len(harness.server.requests) == 5  # first attempt + the default 4 retries
    assert harness.sleeps == [0.5, 1.0, 2.0, 4.0]
    metrics = harness.client.get_metrics()
    assert metrics["failures"] == {"ServerError": 1}
    assert metrics["retries"] == 4


async def test_max_retries_bounds_attempts(make_harness: HarnessFactory) -> None:
    harness = make_harness([503] * 10, max_retries=2, **ALWAYS_TOP)
    with pytest.raises(ServerError):
        await harness.call(harness.client.log, LOG)
    assert len(harness.server.requests) == 3
    assert harness.sleeps == [0.5, 1.0]


async def test_delay_cap(make_harness: HarnessFactory) -> None:
    harness = make_harness([503] * 6, max_retries=6, retry_deadline=100, **ALWAYS_TOP)
    await harness.call(harness.client.log, LOG)
    assert harness.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500, 501])
async def test_other_statuses_are_not_retried(make_harness: HarnessFactory, status: int) -> None:
    harness = make_harness([status, 200], **ALWAYS_TOP)
    with pytest.raises(HuggingPlaceError):
        await harness.call(harness.client.log, LOG)
    assert len(harness.server.requests) == 1
    assert harness.sleeps == []


async def test_timeouts_and_connection_errors_are_retried(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.ConnectTimeout("syn lost")],
        **ALWAYS_TOP,
    )
    assert await harness.call(harness.client.log, LOG) == {"success": True}
    assert len(harness.server.requests) == 4
    assert harness.sleeps == [0.5, 1.0, 2.0]


async def test_message_id_and_body_identical_across_retries(make_harness: HarnessFactory) -> None:
    harness = make_harness([503, httpx.ReadTimeout("slow"), 429])
    await harness.call(harness.client.log, LOG)
    contents = {request.content for request in harness.server.requests}
    assert len(harness.server.requests) == 4
    assert len(contents) == 1  # same bytes every attempt, hence the same message_id
    assert len({body["message_id"] for body in harness.server.bodies()}) == 1


async def test_retry_after_seconds_is_honoured(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        [httpx.Response(429, headers={"Retry-After": "7"}, json={"message": "slow down"})], **ALWAYS_TOP
    )
    await harness.call(harness.client.log, LOG)
    assert harness.sleeps == [7.0]


async def test_retry_after_on_503_is_honoured(make_harness: HarnessFactory) -> None:
    harness = make_harness([httpx.Response(503, headers={"Retry-After": "3"})], **ALWAYS_TOP)
    await harness.call(harness.client.log, LOG)
    assert harness.sleeps == [3.0]


async def test_retry_after_http_date_relative_to_server_date(make_harness: HarnessFactory) -> None:
    server_now = 1_700_000_000.0
    headers = {
        "Date": email.utils.formatdate(server_now, usegmt=True),
        "Retry-After": email.utils.formatdate(server_now + 12, usegmt=True),
    }
    harness = make_harness([httpx.Response(429, headers=headers)], **ALWAYS_TOP)
    await harness.call(harness.client.log, LOG)
    assert harness.sleeps == [12.0]


async def test_retry_after_beyond_deadline_raises_at_once(make_harness: HarnessFactory) -> None:
    harness = make_harness(
        [httpx.Response(429, headers={"Retry-After": "120"}, json={"message": "come back later"})],
        retry_deadline=30,
    )
    with pytest.raises(RateLimitError) as caught:
        await harness.call(harness.client.log, LOG)
    assert caught.value.retry_after == 120.0
    assert "come back later" in str(caught.value)
    assert harness.sleeps == []
    assert len(harness.server.requests) == 1


async def test_total_deadline_bounds_retries(make_harness: HarnessFactory) -> None:
    # Each attempt takes 1 s of (fake) time; the deadline is 4 s.
    def slow_503(harness_clock: Any) -> Any:
        def answer(request: httpx.Request) -> httpx.Response:
            harness_clock.advance(1.0)
            return httpx.Response(503)

        return answer

    harness = make_harness(retry_deadline=4, **ALWAYS_TOP)
    harness.server.script = [slow_503(harness.clock)] * 10
    start = harness.clock()
    with pytest.raises(ServerError):
        await harness.call(harness.client.log, LOG)
    # t=1 fail, sleep 0.5 -> t=1.5; t=2.5 fail, sleep 1 -> t=3.5; t=4.5 fail; 2 s sleep would pass 4 s: stop.
    assert harness.sleeps == [0.5, 1.0]
    assert len(harness.server.requests) == 3
    assert harness.clock() - start == pytest.approx(4.5)


async def test_attempt_timeout_shrinks_to_remaining_deadline(make_harness: HarnessFactory) -> None:
    harness = make_harness([503], retry_deadline=5, timeout=10_000, **ALWAYS_TOP)
    await harness.call(harness.client.log, LOG)
    read_timeouts = [request.extensions["timeout"]["read"] for request in harness.server.requests]
    assert read_timeouts == [pytest.approx(5.0), pytest.approx(4.5)]


async def test_timeout_error_after_retries(make_harness: HarnessFactory) -> None:
    harness = make_harness([httpx.ReadTimeout("slow")] * 10, max_retries=1, **ALWAYS_TOP)
    with pytest.raises(huggingplace_sdk.TimeoutError):
        await harness.call(harness.client.log, LOG)
    assert len(harness.server.requests) == 2
    assert harness.client.get_metrics()["failures"] == {"HuggingPlaceTimeoutError": 1}


async def test_auth_failure_counted_once_not_retried(make_harness: HarnessFactory) -> None:
    harness = make_harness([401])
    with pytest.raises(AuthenticationError):
        await harness.call(harness.client.log, LOG)
    metrics = harness.client.get_metrics()
    assert (metrics["requests"], metrics["attempts"], metrics["retries"]) == (1, 1, 0)
    assert metrics["failures"] == {"AuthenticationError": 1}


async def test_client_validation_is_not_a_request(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    with pytest.raises(ValidationError):
        await harness.call(harness.client.log, {"user_prompt": "q"})
    assert harness.client.get_metrics()["requests"] == 0


# --- pure parts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Tue, 14 Nov 2023 22:13:50 GMT", 30.0),  # 30 s after `now` below
        ("Tue, 14 Nov 2023 22:12:00 GMT", 0.0),  # in the past
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
    assert parse_retry_after(header, now=now) == expected


def test_policy_backoff_windows() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0, random=lambda: 1.0)
    assert [policy.backoff(n) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    zero = RetryPolicy(random=lambda: 0.0)
    assert zero.backoff(3) == 0.0
