"""Token bucket on a fake clock, client metrics, and the reusable senders (list bodies, closing)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from huggingplace_sdk import HuggingPlaceError, ServerError, ValidationError
from huggingplace_sdk._client_metrics import ClientMetrics, nearest_rank
from huggingplace_sdk._ratelimit import TokenBucket
from huggingplace_sdk._retry import RetryPolicy
from huggingplace_sdk._transport import AsyncSender, SenderSettings, SyncSender

HarnessFactory = Any
LOG = {"user_prompt": "q", "response": "a"}


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_burst_then_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]  # the burst
    assert bucket.reserve() == pytest.approx(0.5)  # next token in 1/rate s
    assert bucket.reserve() == pytest.approx(1.0)  # queued behind the previous reservation
    clock.now += 1.0  # two tokens' worth of time: pays the two reservations
    assert bucket.reserve() == pytest.approx(0.5)
    clock.now += 100.0  # a long idle refills only up to the burst
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == pytest.approx(0.5)


def test_token_bucket_default_burst() -> None:
    bucket = TokenBucket(rate=5.0, burst=None, clock=Clock())
    assert [bucket.reserve() for _ in range(5)] == [0.0] * 5
    assert bucket.reserve() == pytest.approx(0.2)


async def test_client_rate_limit_waits_through_injected_sleep(make_harness: HarnessFactory) -> None:
    harness = make_harness(rate_limit=4, burst=2)
    for _ in range(4):
        await harness.call(harness.client.log, LOG)
    # Two requests from the burst, then one every 0.25 s; the fake sleep advances the clock by each wait.
    assert harness.sleeps == [pytest.approx(0.25), pytest.approx(0.25)]
    assert len(harness.server.requests) == 4


async def test_async_rate_limit_does_not_block_the_loop() -> None:
    """While one log waits for a token, other tasks on the loop keep running."""
    progress: list[str] = []
    clock = Clock()

    async def sleep(seconds: float) -> None:
        progress.append(f"wait {seconds:g}")
        await asyncio.sleep(0)  # yield to the loop like a real sleep would
        clock.now += seconds

    from huggingplace_sdk import HuggingPlace

    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    async with HuggingPlace(
        api_key="hp-rate-limit-key-000000",
        org_id="o",
        rate_limit=1,
        burst=1,
        transport=transport,
        clock=clock,
        sleep=sleep,
    ) as client:

        async def other_task() -> None:
            progress.append("other ran")

        async def second_log() -> None:
            await client.log(LOG)
            progress.append("log done")

        await client.log(LOG)  # takes the only token
        await asyncio.gather(second_log(), other_task())
    assert progress == ["wait 1", "other ran", "log done"]


def test_metrics_percentiles_and_window() -> None:
    metrics = ClientMetrics(window=10)
    for latency in range(1, 101):  # 1..100 ms; only the last 10 (91..100) are kept
        metrics.record_attempt(float(latency))
    snapshot = metrics.snapshot()
    assert snapshot["attempts"] == 100
    assert snapshot["latency_p50_ms"] == 95.0
    assert snapshot["latency_p95_ms"] == 100.0
    assert nearest_rank([], 50) is None
    assert nearest_rank([1.0, 2.0, 3.0, 4.0], 50) == 2.0


async def test_client_metrics_latency_from_clock(make_harness: HarnessFactory) -> None:
    harness = make_harness()

    def slow(seconds: float) -> Any:
        def answer(request: httpx.Request) -> httpx.Response:
            harness.clock.advance(seconds)
            return httpx.Response(200, json={})

        return answer

    harness.server.script = [slow(0.010), slow(0.020), slow(0.030), slow(0.400)]
    for _ in range(4):
        await harness.call(harness.client.log, LOG)
    metrics = harness.client.get_metrics()
    assert metrics["latency_p50_ms"] == pytest.approx(20.0)
    assert metrics["latency_p95_ms"] == pytest.approx(400.0)
    assert (metrics["requests"], metrics["successes"]) == (4, 4)


def test_empty_metrics_shape(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    assert harness.client.get_metrics() == {
        "requests": 0,
        "attempts": 0,
        "successes": 0,
        "failures": {},
        "retries": 0,
        "latency_p50_ms": None,
        "latency_p95_ms": None,
    }


# --- the senders as the exporter uses them ---------------------------------------------------------


def _settings(clock: Clock) -> SenderSettings:
    return SenderSettings(
        base_url="https://hp.test/",
        api_key="hp-exporter-key-00000000",
        retry_policy=RetryPolicy(max_retries=1, random=lambda: 1.0),
        clock=clock,
    )


def test_sync_sender_posts_a_list_body_and_retries() -> None:
    seen: list[httpx.Request] = []
    answers = [httpx.Response(503), httpx.Response(200, json={"stored": 2})]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    sleeps: list[float] = []
    sender = SyncSender(_settings(Clock()), transport=httpx.MockTransport(handler), sleep=sleeps.append)
    batch = [{"user_prompt": "a", "response": "b"}, {"user_prompt": "c", "response": "d"}]
    assert sender.post("/v2/batch", batch) == {"stored": 2}
    sender.close()
    assert [str(request.url) for request in seen] == ["https://hp.test/v2/batch"] * 2
    assert json.loads(seen[1].content) == batch
    assert seen[1].headers["authorization"] == "Bearer hp-exporter-key-00000000"
    assert sleeps == [0.5]
    assert sender.metrics.snapshot()["retries"] == 1


async def test_async_sender_raises_mapped_error_after_retries() -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    sender = AsyncSender(
        _settings(Clock()), transport=httpx.MockTransport(lambda r: httpx.Response(504)), sleep=sleep
    )
    with pytest.raises(ServerError) as caught:
        await sender.post("/v2/batch", [{"x": 1}])
    await sender.aclose()
    assert caught.value.status_code == 504
    assert sleeps == [0.5]


def test_sender_refuses_unencodable_body_before_sending() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    sender = SyncSender(_settings(Clock()), transport=httpx.MockTransport(handler))
    with pytest.raises(ValidationError):
        sender.post("/v2/batch", [{"x": float("nan")}])
    sender.close()
    assert seen == []


async def test_closed_client_refuses_to_log(make_harness: HarnessFactory) -> None:
    harness = make_harness()
    await harness.close()
    with pytest.raises(HuggingPlaceError, match="closed"):
        await harness.call(harness.client.log, LOG)
    assert harness.server.requests == []


async def test_context_managers_close_the_client(client_kind: str) -> None:
    from huggingplace_sdk import HuggingPlace, SyncHuggingPlace

    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    settings: dict[str, Any] = {"api_key": "hp-context-key-00000000", "org_id": "o", "transport": transport}
    if client_kind == "async":
        async with HuggingPlace(**settings) as async_client:
            await async_client.log(LOG)
        client: Any = async_client
        with pytest.raises(HuggingPlaceError, match="closed"):
            await client.log(LOG)
    else:
        with SyncHuggingPlace(**settings) as sync_client:
            sync_client.log(LOG)
        with pytest.raises(HuggingPlaceError, match="closed"):
            sync_client.log(LOG)
