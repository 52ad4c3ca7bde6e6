"""The viewer in a real browser: what a person sees, checked against the data the SDK sent.

Expected numbers come from the recordings (token usage) and from the spans the app produced (counts).
Screenshots of the main pages go to the test's temporary directory; the 1,000-span page load time is
printed and written beside them (measured, never asserted).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from huggingplace_sdk import _demo
from huggingplace_sdk.testing import cassette_path, load_cassette, recorded_json

FedServer = Any  # conftest.FedServer: the server, the runs, and the hostile text and session names used


def _recorded_plain_usages() -> list[dict[str, int]]:
    return [recorded_json(i)["usage"] for i in load_cassette(cassette_path("openai", _demo.PLAIN_CASSETTE))]


@pytest.fixture
def page(browser: Any, fed_server: FedServer) -> Iterator[Any]:
    """A signed-in page: the one-time link was opened, the cookie is set."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=fed_server.server.url)
    signed_in = context.new_page()
    signed_in.goto(fed_server.server.login_url())
    _ready(signed_in, "/")
    try:
        yield signed_in
    finally:
        context.close()


def _ready(page: Any, route: str) -> None:
    page.wait_for_function("route => document.body.getAttribute('data-ready') === route", arg=route)


def _open(page: Any, route: str) -> None:
    page.evaluate("route => { document.body.removeAttribute('data-ready'); location.hash = '#' + route; }", route)
    _ready(page, route)


def _session_row(page: Any, session_id: str) -> Any:
    return page.locator("#sessions tbody tr").filter(has=page.get_by_role("link", name=session_id, exact=True))


def test_token_login_sets_an_httponly_samesite_cookie_once(browser: Any, fed_server: FedServer) -> None:
    url = fed_server.server.login_url()
    first = browser.new_context()
    try:
        page = first.new_page()
        page.goto(url)
        _ready(page, "/")
        [cookie] = first.cookies()
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # not readable by scripts
        assert page.locator("#sessions tbody tr").count() > 0
    finally:
        first.close()
    second = browser.new_context()
    try:
        page = second.new_page()
        response = page.goto(url)  # the same link again: spent
        assert response is not None and response.status == 403
        page.goto(fed_server.server.url + "/")
        _ready(page, "/")
        assert page.locator("#signin-notice").is_visible()
        assert second.cookies() == []
    finally:
        second.close()


def test_sessions_list_shows_every_session_with_tokens_from_the_recordings(
    page: Any, fed_server: FedServer, tmp_path: Path
) -> None:
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == len(fed_server.runs)  # demo, hostile, quiet, big, broken: one session each
    usages = _recorded_plain_usages()
    demo_tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in usages[:2])
    demo_row = _session_row(page, _demo.DEMO_SESSION)
    assert demo_row.locator("td.tokens").inner_text() == f"{demo_tokens:,}"
    cells = demo_row.locator("td")
    assert cells.nth(1).inner_text() == _demo.DEMO_USER
    assert cells.nth(2).inner_text() == str(len(fed_server.runs["demo"].traces))
    page.screenshot(path=str(tmp_path / "sessions.png"), full_page=True)

    page.locator("#filters input[name=session]").fill("quiet")
    page.locator("#filters button[type=submit]").click()
    _ready(page, "/?session=quiet")
    assert page.locator("#sessions tbody tr").count() == 1
    assert page.locator("#page-info").inner_text() == "1\u20131 of 1"  # en dash


def test_a_session_reads_as_a_conversation(page: Any, fed_server: FedServer, tmp_path: Path) -> None:
    _session_row(page, _demo.DEMO_SESSION).get_by_role("link").click()
    _ready(page, "/session/" + quote(_demo.DEMO_SESSION, safe=""))
    cards = page.locator("#conversation .interaction")
    assert cards.count() == len(fed_server.runs["demo"].traces)
    first = cards.nth(0)
    assert first.locator(".role-user").inner_text().endswith("Tell me a joke about opentelemetry")
    usage = _recorded_plain_usages()[0]
    assert f"{usage['prompt_tokens']} in / {usage['completion_tokens']} out" in first.locator(".tokens").inner_text()
    page.screenshot(path=str(tmp_path / "session.png"), full_page=True)


def test_waterfall_and_span_details(page: Any, fed_server: FedServer, tmp_path: Path) -> None:
    trace_id = fed_server.trace_of("demo")
    _open(page, f"/trace/{trace_id}")
    rows = page.locator("#waterfall .wf-row")
    assert rows.count() == len(fed_server.runs["demo"].traces[trace_id])
    usage = _recorded_plain_usages()[0]
    # The root step shows the sum of its descendants' tokens: the one plain call (the stream has no usage).
    root = rows.nth(0)
    assert root.locator(".span-name").inner_text() == "joke_agent"
    assert f"{usage['prompt_tokens']}/{usage['completion_tokens']} tok" in root.inner_text()
    kinds = [rows.nth(i).locator(".kind").inner_text() for i in range(rows.count())]
    assert kinds.count("LLM") == 2 and kinds.count("TOOL") == 1 and kinds.count("AGENT") == 1
    page.screenshot(path=str(tmp_path / "trace.png"), full_page=True)

    page.locator("#waterfall .wf-row.kind-llm").first.click()
    page.wait_for_selector("#span-details #usage")
    usage_text = page.locator("#usage").inner_text()
    assert f"input tokens\t{usage['prompt_tokens']}" in usage_text
    assert "usage source\tprovider" in usage_text
    assert page.locator("#messages .role-user").first.inner_text().endswith("Tell me a joke about opentelemetry")
    page.screenshot(path=str(tmp_path / "span.png"), full_page=True)

    page.locator("#waterfall .wf-row.kind-llm").nth(1).click()  # the streamed call
    page.wait_for_function("() => (document.querySelector('#usage')?.innerText || '').includes('stream outcome')")
    streamed = page.locator("#usage").inner_text()
    assert "stream outcome\tcompleted" in streamed and "usage source\tabsent" in streamed
    assert "finish reasons\t" in streamed and "time to first chunk" in streamed


def test_copy_trace_as_json(page: Any, fed_server: FedServer) -> None:
    trace_id = fed_server.trace_of("demo")
    _open(page, f"/trace/{trace_id}")
    page.locator("#copy-json").click()
    page.wait_for_function("() => document.querySelector('#copy-status').innerText.startsWith('Copied')")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["trace_id"] == trace_id
    assert {span["span_id"] for span in copied["spans"]} == fed_server.runs["demo"].traces[trace_id]
    assert len(copied["logs"]) == 1


def test_permalink_by_message_id_opens_its_trace(page: Any, fed_server: FedServer) -> None:
    trace_id = fed_server.trace_of("demo")
    [log] = fed_server.server.traces.logs_of_trace(trace_id)
    _open(page, "/message/" + log["message_id"])
    assert page.locator("#waterfall .wf-row").count() == len(fed_server.runs["demo"].traces[trace_id])


def test_content_notice_when_content_was_not_captured(page: Any, fed_server: FedServer) -> None:
    trace_id = fed_server.trace_of("quiet")
    _open(page, f"/trace/{trace_id}")
    assert "capture_content=True" in page.locator("#content-notice").inner_text()
    assert page.locator("#messages").count() == 0


def test_hostile_text_is_shown_as_text(page: Any, fed_server: FedServer, tmp_path: Path) -> None:
    _open(page, "/session/" + quote(fed_server.hostile_session, safe=""))
    assert page.locator("#conversation .role-user").first.inner_text().endswith(fed_server.hostile)
    _open(page, f"/trace/{fed_server.trace_of('hostile')}")
    page.locator("#waterfall .wf-row.kind-llm").first.click()
    page.wait_for_selector("#messages")
    assert page.locator("#messages .role-user").first.inner_text().endswith(fed_server.hostile)
    page.locator("#waterfall .wf-row").first.click()
    page.wait_for_function("() => document.querySelector('#span-details h2').innerText.startsWith('step ')")
    assert fed_server.hostile in page.locator("#attributes").inner_text()
    _open(page, "/")
    assert _session_row(page, fed_server.hostile_session).count() == 1
    # Nothing ran and nothing was parsed as markup: one script (the app's), no <img>.
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("document.querySelectorAll('main img').length") == 0
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)


def test_a_trace_of_1000_spans(page: Any, fed_server: FedServer, tmp_path: Path) -> None:
    trace_id = fed_server.trace_of("big")
    assert len(fed_server.runs["big"].traces[trace_id]) == fed_server.big_trace_spans
    started = time.perf_counter()
    _open(page, f"/trace/{trace_id}")
    load_ms = (time.perf_counter() - started) * 1000
    assert page.locator("#waterfall .wf-row").count() == fed_server.big_trace_spans
    assert page.locator("#span-count").inner_text() == f"{fed_server.big_trace_spans} spans"
    (tmp_path / "timings.json").write_text(json.dumps({"trace_1000_spans_load_ms": load_ms}))
    print(f"\n1,000-span trace: loaded and rendered in {load_ms:.0f} ms")
    page.screenshot(path=str(tmp_path / "trace-1000.png"))
    _open(page, "/?session=" + fed_server.big_session)
    assert _session_row(page, fed_server.big_session).locator("td").nth(2).inner_text() == "1"


def test_errors_and_abandoned_streams_are_marked(page: Any, fed_server: FedServer, tmp_path: Path) -> None:
    _open(page, f"/trace/{fed_server.trace_of('broken')}")
    failed = page.locator("#waterfall .wf-row.error")
    names = sorted(failed.nth(i).locator(".span-name").inner_text() for i in range(failed.count()))
    assert names == ["chat gpt-3.5-turbo", "execute_tool explode"]
    tool = failed.filter(has_text="explode")
    assert "ValueError" in tool.inner_text()
    assert page.locator("#waterfall .stream-outcome").inner_text() == "\u26a0 stream abandoned"
    page.screenshot(path=str(tmp_path / "errors.png"), full_page=True)


def test_recent_traces_list_every_trace(page: Any, fed_server: FedServer) -> None:
    _open(page, "/traces")
    expected = sum(len(run.traces) for run in fed_server.runs.values())
    assert page.locator("#traces tbody tr").count() == expected
    page.locator("#traces tbody tr").filter(has_text=fed_server.big_session).get_by_role("link").first.click()
    _ready(page, f"/trace/{fed_server.trace_of('big')}")
