from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from huggingplace_sdk._cli import main
from huggingplace_sdk._server import DEFAULT_DEV_API_KEY, INGEST_PATH, LogStore

LOG = {"user_prompt": "p", "response": "r", "org_id": "o"}


def _start(*arguments: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "huggingplace_sdk._cli", "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()  # blocks until the server printed where it listens
    found = re.search(r"http://127\.0\.0\.1:\d+", first_line)
    if found is None:
        process.kill()
        raise AssertionError(f"no URL in {first_line!r}; stderr: {process.communicate()[1]}")
    return process, found.group(0)


def _interrupt(process: subprocess.Popen[str], how: signal.Signals = signal.SIGINT) -> tuple[int, str]:
    process.send_signal(how)
    out, _ = process.communicate(timeout=30)
    return process.returncode, out


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    db = tmp_path / "served.sqlite3"
    process, url = _start("--db", str(db), "--enable-fault-injection")
    try:
        yield process, url, db
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_accepts_logs_and_keeps_them_in_the_file(
    served: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, url, db = served
    auth = {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}
    answer = httpx.post(url + INGEST_PATH, json={**LOG, "message_id": "served-1"}, headers=auth)
    assert answer.status_code == 200
    code, out = _interrupt(process)
    assert code == 0
    assert "stopped" in out
    assert DEFAULT_DEV_API_KEY not in out
    store = LogStore(db)
    try:
        assert store.get_log("served-1") is not None
    finally:
        store.close()


def test_serve_exposes_fault_control_when_enabled(served: tuple[subprocess.Popen[str], str, Path]) -> None:
    _, url, _ = served
    auth = {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}
    with httpx.Client(base_url=url, headers=auth) as http:
        assert http.post("/_control/faults", json={"fail_next": 1, "status": 503}).status_code == 200
        assert http.post(INGEST_PATH, json=LOG).status_code == 503
        assert http.post(INGEST_PATH, json=LOG).status_code == 200


def test_serve_uses_the_key_from_the_environment(tmp_path: Path) -> None:
    process, url = _start("--db", ":memory:", env={"HUGGINGPLACE_API_KEY": "env-server-key-123"})
    try:
        assert httpx.post(
            url + INGEST_PATH, json=LOG, headers={"Authorization": "Bearer env-server-key-123"}
        ).is_success
        dev = httpx.post(
            url + INGEST_PATH, json=LOG, headers={"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}
        )
        assert dev.status_code == 401
        # Fault injection was not enabled for this one.
        assert (
            httpx.get(
                url + "/_control/faults", headers={"Authorization": "Bearer env-server-key-123"}
            ).status_code
            == 404
        )
    finally:
        code, out = _interrupt(process)
    assert code == 0
    assert "env-server-key-123" not in out


def test_serve_on_a_busy_port_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--db", ":memory:"]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_serve_with_an_unusable_database_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing_folder = tmp_path / "no" / "such" / "folder" / "hp.sqlite3"
    assert main(["serve", "--port", "0", "--db", str(missing_folder)]) == 1
    assert "cannot open the database" in capsys.readouterr().err


def test_serve_stops_cleanly_on_sigterm() -> None:
    process, url = _start("--db", ":memory:")
    assert httpx.get(url + "/v1/sessions", headers={"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}).is_success
    code, out = _interrupt(process, signal.SIGTERM)
    assert code == 0
    assert out.rstrip().endswith("stopped")


def test_serve_strict_refuses_arrays() -> None:
    process, url = _start("--db", ":memory:", "--strict")
    auth = {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}
    try:
        assert httpx.post(url + INGEST_PATH, json=[LOG], headers=auth).status_code == 400
        assert httpx.post(url + INGEST_PATH, json=LOG, headers=auth).status_code == 200
        assert httpx.get(url + "/v1/capabilities", headers=auth).status_code == 404
    finally:
        code, _ = _interrupt(process)
    assert code == 0
