from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from huggingplace_sdk._cli import main
from huggingplace_sdk._server import LogStore

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_demo_stores_and_reads_back_its_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.sqlite3"
    assert main(["demo", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "OK: all 4 logs were stored and read back." in out
    assert "hp-local-dev-key" not in out

    store = LogStore(db)
    try:
        logs = store.logs()
        sessions = store.sessions()
    finally:
        store.close()
    assert len(logs) == 4
    assert [s["log_count"] for s in sessions] == [3]
    session_logs = [log for log in logs if log.get("session_id") == sessions[0]["session_id"]]
    assert all(log["metaData"] == {"app": "demo"} for log in session_logs)
    assert all(log["user_meta_data"] == {"plan": "free"} for log in session_logs)
    steps = [log for log in logs if log.get("step_data")]
    assert len(steps) == 1 and steps[0]["step_data"][0]["user_question"] == steps[0]["user_prompt"]
    assert {log["org_id"] for log in logs} == {"demo-org"}
    assert sessions[0]["session_id"] in out


def test_demo_ignores_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo talks to its own embedded server, whatever the user's HUGGINGPLACE_* variables say.
    monkeypatch.setenv("HUGGINGPLACE_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("HUGGINGPLACE_API_KEY", "some-real-key-abcdef")
    assert main(["demo"]) == 0
    assert "OK: all 4 logs" in capsys.readouterr().out


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
    assert completed.returncode == 0, completed.stderr
    assert "OK: all 4 logs were stored and read back." in completed.stdout


def test_module_entry_point_prints_help() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "huggingplace_sdk._cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0
    for command in ("serve", "log", "doctor", "demo"):
        assert command in completed.stdout
