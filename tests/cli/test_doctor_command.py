from __future__ import annotations

import socket

import pytest

from huggingplace_sdk._cli import main
from huggingplace_sdk._server import LocalServer


def _doctor(*arguments: str) -> list[str]:
    return ["doctor", "--org-id", "org-doc", *arguments]


def test_ok_with_the_right_key(
    server: LocalServer, capsys: pytest.CaptureFixture[str], server_key: str
) -> None:
    assert main(_doctor("--api-key", server_key, "--base-url", server.url)) == 0
    out = capsys.readouterr().out
    assert "result   : ok" in out
    assert f"base_url : {server.url}" in out
    assert "org_id   : org-doc" in out
    assert server_key not in out
    assert "cli…6789" in out  # the masked form
    assert server.store.count() == 0  # the probe stores nothing


def test_auth_rejected_with_a_wrong_key(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_doctor("--api-key", "not-the-right-key-42", "--base-url", server.url)) == 1
    out = capsys.readouterr().out
    assert "result   : auth rejected: HTTP 401" in out
    assert "not-the-right-key-42" not in out


def test_unreachable_when_nothing_listens(capsys: pytest.CaptureFixture[str], server_key: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    assert main(_doctor("--api-key", server_key, "--base-url", f"http://127.0.0.1:{free_port}")) == 1
    assert "result   : unreachable" in capsys.readouterr().out


def test_unreachable_when_the_server_does_not_answer(
    server: LocalServer, capsys: pytest.CaptureFixture[str], server_key: str
) -> None:
    server.faults.hang_next(1)
    assert main(_doctor("--api-key", server_key, "--base-url", server.url, "--timeout", "200")) == 1
    assert "result   : unreachable: no answer within 200 ms" in capsys.readouterr().out
    server.faults.release()


def test_unexpected_answer_from_a_wrong_base_url(
    server: LocalServer, capsys: pytest.CaptureFixture[str], server_key: str
) -> None:
    assert main(_doctor("--api-key", server_key, "--base-url", server.url + "/wrong/prefix")) == 1
    assert "result   : unexpected answer: HTTP 404" in capsys.readouterr().out


def test_environment_settings_are_shown_and_used(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], server_key: str
) -> None:
    monkeypatch.setenv("HUGGINGPLACE_API_KEY", server_key)
    monkeypatch.setenv("HUGGINGPLACE_BASE_URL", server.url)
    monkeypatch.setenv("HUGGINGPLACE_MODE", "dev")
    assert main(["doctor", "--org-id", "o"]) == 0
    out = capsys.readouterr().out
    assert "mode     : dev" in out and f"base_url : {server.url}" in out


def test_missing_settings_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 2
    out = capsys.readouterr().out
    assert "settings : invalid" in out and "HUGGINGPLACE_API_KEY" in out
