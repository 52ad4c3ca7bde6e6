from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from huggingplace_sdk import _demo
from huggingplace_sdk._cli import main
from huggingplace_sdk._server import LogStore
from huggingplace_sdk._server._traces import TraceStore
from huggingplace_sdk.testing import cassette_path, load_cassette, recorded_json, recorded_sse_events

REPO_ROOT = Path(__file__).resolve().parents[2]


def _recorded_plain_usages() -> list[dict[str, Any]]:
    interactions = load_cassette(cassette_path("openai", _demo.PLAIN_CASSETTE))
    return [recorded_json(interaction)["usage"] for interaction in interactions]


def _stored(db: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    store = LogStore(db)
    try:
        traces = TraceStore(store)
        summaries = traces.traces()
        spans = [span for summary in summaries for span in traces.spans(summary["trace_id"])]
        return spans, store.logs()
    finally:
        store.close()


def test_demo_runs_the_tracing_pipeline_and_everything_arrives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite3"
    assert main(["demo", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "OK: all" in out and "hp-local-dev-key" not in out

    spans, logs = _stored(db)
    trace_ids = {span["trace_id"] for span in spans}
    assert len(trace_ids) == 2
    # Every interaction arrived twice over: its spans over OTLP and its log through the exporter, linked.
    assert {log["metaData"]["trace_id"] for log in logs} == trace_ids
    assert {log["session_id"] for log in logs} == {_demo.DEMO_SESSION}

    plain = sorted((s for s in spans if s["name"].startswith("chat ") and not s["attributes"].get(
        "gen_ai.request.stream")), key=lambda s: s["start_ns"])
    usages = _recorded_plain_usages()
    assert [(s["input_tokens"], s["output_tokens"]) for s in plain] == [
        (u["prompt_tokens"], u["completion_tokens"]) for u in usages[: len(plain)]
    ]
    [streamed] = [s for s in spans if s["attributes"].get("gen_ai.request.stream")]
    events = recorded_sse_events(load_cassette(cassette_path("openai", _demo.STREAM_CASSETTE))[0])
    reasons = [c["choices"][0]["finish_reason"] for c in events if c.get("choices")]
    reasons = [reason for reason in reasons if reason]
    assert streamed["attributes"]["gen_ai.response.finish_reasons"] == reasons
    assert streamed["attributes"]["huggingplace.stream.outcome"] == "completed"
    # The recording carries no usage: no tokens are invented, and the provenance says so.
    assert streamed["input_tokens"] is None and streamed["attributes"]["huggingplace.usage.source"] == "absent"
    assert {s["attributes"].get("huggingplace.step.type") for s in spans} >= {"agent", "tool"}
    for trace_id in trace_ids:
        assert f"trace {trace_id}" in out


def test_demo_fails_when_spans_do_not_arrive(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without its header the OTLP exporter is refused (401): the demo must notice and exit 1.
    monkeypatch.setattr(_demo, "_OTLP_HEADERS_ENV", "HUGGINGPLACE_TEST_UNUSED_HEADERS")
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_HEADERS", raising=False)
    assert main(["demo"]) == 1
    assert "FAILED:" in capsys.readouterr().out


def test_demo_ignores_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo talks to its own embedded server, whatever the user's HUGGINGPLACE_* variables say.
    monkeypatch.setenv("HUGGINGPLACE_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("HUGGINGPLACE_API_KEY", "some-real-key-abcdef")
    assert main(["demo"]) == 0
    assert "OK: all" in capsys.readouterr().out


def test_uv_run_huggingplace_demo_in_a_subprocess() -> None:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    # --no-sync: use the environment this test runs in, never re-sync a shared venv from a test.
    completed = subprocess.run(
        [uv, "run", "--no-sync", "huggingplace", "demo"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "OK: all" in completed.stdout


def test_module_entry_point_prints_help() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "huggingplace_sdk._cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0
    for command in ("serve", "log", "doctor", "demo", "traces"):
        assert command in completed.stdout


def test_demo_serve_keeps_the_server_up_for_the_viewer() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "huggingplace_sdk._cli", "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        login = ""
        for line in process.stdout:
            if line.startswith("Viewer (one-time sign-in link): "):
                login = line.split(": ", 1)[1].strip()
                break
        assert login, process.stderr.read() if process.stderr else ""
        with httpx.Client() as browser:
            assert browser.get(login).status_code == 303
            base = login.split("/login", 1)[0]
            sessions = browser.get(base + "/v1/viewer/sessions").json()["sessions"]
        assert [s["session_id"] for s in sessions] == [_demo.DEMO_SESSION]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
