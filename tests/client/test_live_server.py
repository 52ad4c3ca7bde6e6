"""The client against the real local HuggingPlace server on 127.0.0.1: storage, every error class, faults.

Backoff waits go through an injected recording sleep (no real waiting); only the timeout tests spend real
time, bounded by a short client timeout.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import huggingplace_sdk
from huggingplace_sdk import (
    AuthenticationError,
    HuggingPlace,
    NetworkError,
    RateLimitError,
    ServerError,
    SyncHuggingPlace,
    ValidationError,
)
from huggingplace_sdk._server import LocalServer
from huggingplace_sdk._transport import SenderSettings, SyncSender

SERVER_KEY = "hp-live-server-key-0000abcd"
LOG = {"user_prompt": "What is 2+2?", "response": "4", "llm_model": "gpt-4o-mini", "token_count": 9}


class LiveClient:
    """A client of either kind on the live server, with a recording (non-waiting) sleep."""

    def __init__(self, kind: str, url: str, **overrides: Any) -> None:
        self.sleeps: list[float] = []
        settings: dict[str, Any] = {
            "api_key": SERVER_KEY,
            "org_id": "org-live",
            "base_url": url,
            "random_source": lambda: 1.0,
        }
        settings.update(overrides)
        if kind == "async":

            async def sleep(seconds: float) -> None:
                self.sleeps.append(seconds)

            self.client: HuggingPlace | SyncHuggingPlace = HuggingPlace(**settings, sleep=sleep)
        else:
            self.client = SyncHuggingPlace(**settings, sleep=self.sleeps.append)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def close(self) -> None:
        if isinstance(self.client, HuggingPlace):
            await self.client.aclose()
        else:
            self.client.close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer(":memory:", api_key=SERVER_KEY, host="127.0.0.1", port=0) as running:
        yield running
        running.faults.clear()


@pytest.fixture
async def live(client_kind: str, server: LocalServer) -> AsyncIterator[Callable[..., LiveClient]]:
    made: list[LiveClient] = []

    def make(**overrides: Any) -> LiveClient:
        live_client = LiveClient(client_kind, server.url, **overrides)
        made.append(live_client)
        return live_client

    yield make
    for live_client in made:
        await live_client.close()


async def test_log_is_stored_as_sent(live: Callable[..., LiveClient], server: LocalServer) -> None:
    hp = live(mode="dev")
    answer = await hp.call(hp.client.log, {**LOG, "metadata": {"feature": "math"}, "user_id": "u-1"})
    [stored] = server.store.logs()
    assert answer["message_id"] == stored["message_id"]
    assert stored["user_prompt"] == "What is 2+2?"
    assert stored["response"] == stored["ai_response"] == "4"
    assert stored["metaData"] == {"feature": "math"}
    assert (stored["org_id"], stored["mode"], stored["user_id"]) == ("org-live", "dev", "u-1")
    assert stored["token_count"] == 9


async def test_session_logs_and_steps_are_stored_with_merged_metadata(
    live: Callable[..., LiveClient], server: LocalServer
) -> None:
    hp = live()
    session = hp.client.start_session("live-sess", metadata={"app": "web"}, user_metadata={"plan": "free"})
    await hp.call(session.log, {**LOG, "user_metadata": {"plan": "pro"}})
    await hp.call(session.log_step, {"user_question": "next?", "prompt_response": "done", "token": 3})
    first, second = server.store.logs(session_id="live-sess")
    assert first["metaData"] == {"app": "web"}
    assert first["user_meta_data"] == {"plan": "pro"}
    assert second["user_meta_data"] == {"plan": "free"}
    assert second["step_data"] == [{"user_question": "next?", "prompt_response": "done", "token": 3}]
    assert second["token_count"] == 3


async def test_wrong_key_is_authentication_error(
    live: Callable[..., LiveClient], server: LocalServer
) -> None:
    wrong_key = "hp-wrong-key-0000000000zz"
    hp = live(api_key=wrong_key)
    with pytest.raises(AuthenticationError) as caught:
        await hp.call(hp.client.log, LOG)
    assert caught.value.status_code == 401
    assert "invalid API key" in str(caught.value)
    assert wrong_key not in str(caught.value)
    assert server.store.count() == 0
    assert server.requests_seen == 1  # not retried


def test_invalid_body_is_validation_error_from_server(server: LocalServer) -> None:
    # Our client refuses bad bodies before sending, so reach the server's 400 through the raw sender.
    sender = SyncSender(SenderSettings(base_url=server.url, api_key=SERVER_KEY))
    with pytest.raises(ValidationError) as caught:
        sender.post(
            "/v2/chatgpt/store_generated_response", {"user_prompt": 5, "response": "a", "org_id": "o"}
        )
    sender.close()
    assert caught.value.status_code == 400
    assert caught.value.field == "user_prompt"
    assert "user_prompt" in str(caught.value)


async def test_three_503_then_stored_once(live: Callable[..., LiveClient], server: LocalServer) -> None:
    hp = live()
    server.faults.fail_next(3, status=503)
    answer = await hp.call(hp.client.log, LOG)
    assert server.requests_seen == 4
    assert server.store.count() == 1
    assert server.store.get_log(answer["message_id"]) is not None
    assert hp.sleeps == [0.5, 1.0, 2.0]
    assert hp.client.get_metrics()["retries"] == 3


async def test_429_retry_after_is_honoured(live: Callable[..., LiveClient], server: LocalServer) -> None:
    hp = live()
    server.faults.fail_next(1, status=429, retry_after="2")
    await hp.call(hp.client.log, LOG)
    assert hp.sleeps == [2.0]
    assert server.store.count() == 1


async def test_429_retry_after_past_deadline_raises(
    live: Callable[..., LiveClient], server: LocalServer
) -> None:
    hp = live(retry_deadline=10)
    server.faults.fail_next(1, status=429, retry_after="60")
    with pytest.raises(RateLimitError) as caught:
        await hp.call(hp.client.log, LOG)
    assert caught.value.retry_after == 60.0
    assert hp.sleeps == []
    assert server.store.count() == 0


async def test_500_is_server_error_not_retried(live: Callable[..., LiveClient], server: LocalServer) -> None:
    hp = live()
    server.faults.fail_next(1, status=500)
    with pytest.raises(ServerError) as caught:
        await hp.call(hp.client.log, LOG)
    assert caught.value.status_code == 500
    assert "injected fault" in str(caught.value)
    assert server.requests_seen == 1


async def test_hanging_server_times_out(live: Callable[..., LiveClient], server: LocalServer) -> None:
    hp = live(timeout=300, max_retries=0)
    server.faults.hang_next(1)
    started = time.monotonic()
    try:
        with pytest.raises(huggingplace_sdk.TimeoutError) as caught:
            await hp.call(hp.client.log, LOG)
    finally:
        server.faults.release()
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 5.0
    assert isinstance(caught.value, TimeoutError)


async def test_hang_then_retry_stores_the_log(live: Callable[..., LiveClient], server: LocalServer) -> None:
    hp = live(timeout=300)
    server.faults.hang_next(1)
    try:
        answer = await hp.call(hp.client.log, LOG)
    finally:
        server.faults.release()
    assert hp.sleeps == [0.5]
    assert server.store.get_log(answer["message_id"]) is not None


async def test_connection_refused_is_network_error(client_kind: str) -> None:
    stopped = LocalServer(api_key=SERVER_KEY).start()
    url = stopped.url
    stopped.stop()  # the port is now closed
    hp = LiveClient(client_kind, url, max_retries=1)
    try:
        with pytest.raises(NetworkError):
            await hp.call(hp.client.log, LOG)
    finally:
        await hp.close()
    assert hp.sleeps == [0.5]
