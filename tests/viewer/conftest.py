"""A real server fed by the real SDK (replayed OpenAI traffic), and Debian's chromium driven by playwright.

Playwright's own browser download is not reachable here, so the tests launch ``/usr/bin/chromium``
(``.ci/run`` installs it). Without it the tests skip on a developer machine and FAIL under CI (CI=true).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import huggingplace_sdk as hp
from huggingplace_sdk import _demo
from huggingplace_sdk._server import LocalServer

CHROMIUM = Path(os.environ.get("HUGGINGPLACE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
HOSTILE_SESSION = "hostile " + HOSTILE
QUIET_SESSION = "quiet-session"
BIG_SESSION = "big-session"
BROKEN_SESSION = "broken-session"
BIG_TRACE_SPANS = 1000


def _hostile_app(plain: Any, stream: Any) -> None:
    with (
        hp.session(HOSTILE_SESSION, user_id=HOSTILE),
        hp.trace_step("step " + HOSTILE, type="agent", note=HOSTILE) as step,
    ):
        step.user_question = HOSTILE
        plain.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": HOSTILE}])
        step.prompt_response = HOSTILE


def _quiet_app(plain: Any, stream: Any) -> None:
    with hp.session(QUIET_SESSION, user_id="quiet-user"):
        plain.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}])


def _big_app(plain: Any, stream: Any) -> None:
    # root + one LLM call + 499 groups of two steps = 1,000 spans.
    with hp.session(BIG_SESSION, user_id="big-user"), hp.trace_step("batch", type="agent"):
        plain.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "go"}])
        for index in range(499):
            with hp.trace_step(f"group {index}"), hp.trace_step(f"item {index}", type="tool"):
                pass


def _broken_app(plain: Any, stream: Any) -> None:
    # A stream left after one chunk and dropped (abandoned), and a tool step that raises.
    with hp.session(BROKEN_SESSION, user_id="broken-user"), hp.trace_step("flaky", type="agent"):
        chunks = stream.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": "go"}], stream=True
        )
        for _ in chunks:
            break
        del chunks
        gc.collect()
        try:
            with hp.trace_step("explode", type="tool"):
                raise ValueError("the tool failed")
        except ValueError:
            pass


@dataclass
class FedServer:
    server: LocalServer
    runs: dict[str, _demo.DemoResult] = field(default_factory=dict)
    hostile: str = HOSTILE
    hostile_session: str = HOSTILE_SESSION
    quiet_session: str = QUIET_SESSION
    big_session: str = BIG_SESSION
    big_trace_spans: int = BIG_TRACE_SPANS

    def trace_of(self, run: str) -> str:
        return next(iter(self.runs[run].traces))


@pytest.fixture(scope="module")
def fed_server() -> Iterator[FedServer]:
    with LocalServer() as server:
        fed = FedServer(server)
        fed.runs["demo"] = _demo.run_pipeline(server)
        fed.runs["hostile"] = _demo.run_pipeline(server, _hostile_app)
        fed.runs["quiet"] = _demo.run_pipeline(server, _quiet_app, capture_content=False)
        fed.runs["big"] = _demo.run_pipeline(server, _big_app)
        fed.runs["broken"] = _demo.run_pipeline(server, _broken_app)
        for name, result in fed.runs.items():
            assert result.ok, (name, result)
        yield fed


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
