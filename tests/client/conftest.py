"""Fixtures for the client tests: a scripted httpx.MockTransport, a fake clock and a sync/async harness.

Every parity test takes the ``harness`` fixture, parametrized over the async and the sync client; the
test awaits ``harness.call(fn, ...)`` whichever client it got. Time never passes for real: the fake sleep
records each delay and advances the fake clock.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import httpx
import pytest

from huggingplace_sdk import HuggingPlace, SyncHuggingPlace

API_KEY = "hp-test-secret-key-0123456789abcd"
ORG_ID = "org-test"
BASE_URL = "https://hp.test"

# What a scripted transport answers: a status (JSON body {"success": true}), a response, an exception,
# or a function of the request returning a response.
Scripted = int | httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Monotonic seconds that move only when a test (or the fake sleep) moves them."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ScriptedServer:
    """An httpx.MockTransport handler answering from a script, then 200 once the script is used up."""

    def __init__(self, script: Iterable[Scripted] = ()) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item: Scripted = self.script.pop(0) if self.script else 200
        if isinstance(item, Exception):
            raise item
        if isinstance(item, int):
            return httpx.Response(
                item, json={"success": True} if item < 400 else {"message": f"status {item}"}
            )
        if isinstance(item, httpx.Response):
            return item
        return item(request)

    def bodies(self) -> list[Any]:
        return [json.loads(request.content) for request in self.requests]


class Harness:
    """One client (async or sync) wired to a scripted server, a fake clock and a recording fake sleep."""

    def __init__(self, kind: str, server: ScriptedServer, **client_kwargs: Any) -> None:
        self.kind = kind
        self.server = server
        self.clock = FakeClock()
        self.sleeps: list[float] = []
        settings: dict[str, Any] = {"api_key": API_KEY, "org_id": ORG_ID, "base_url": BASE_URL}
        settings.update(client_kwargs)
        self.api_key = settings["api_key"]
        common: dict[str, Any] = {"transport": server.transport, "clock": self.clock}
        if kind == "async":
            self.client: HuggingPlace | SyncHuggingPlace = HuggingPlace(
                **settings, **common, sleep=self._async_sleep
            )
        else:
            self.client = SyncHuggingPlace(**settings, **common, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    async def _async_sleep(self, seconds: float) -> None:
        self._sleep(seconds)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a client or session method; await it when the client is the async one."""
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def close(self) -> None:
        await self.call(self.client.aclose if isinstance(self.client, HuggingPlace) else self.client.close)


HarnessFactory = Callable[..., Harness]


@pytest.fixture(params=["async", "sync"])
def client_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_harness(client_kind: str) -> AsyncIterator[HarnessFactory]:
    """``make_harness(script, **client_kwargs)``: a harness of the parametrized kind, closed afterwards."""
    made: list[Harness] = []

    def make(script: Iterable[Scripted] = (), **client_kwargs: Any) -> Harness:
        harness = Harness(client_kind, ScriptedServer(script), **client_kwargs)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.close()


@pytest.fixture
def client_class(client_kind: str) -> type[HuggingPlace] | type[SyncHuggingPlace]:
    return HuggingPlace if client_kind == "async" else SyncHuggingPlace


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No HUGGINGPLACE_* variables from the machine leak into a test."""
    for name in (
        "HUGGINGPLACE_API_KEY",
        "HUGGINGPLACE_ORG_ID",
        "HUGGINGPLACE_MODE",
        "HUGGINGPLACE_BASE_URL",
        "HUGGINGPLACE_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch
