from __future__ import annotations

import io
import json

import pytest

from huggingplace_sdk._cli import main
from huggingplace_sdk._server import LocalServer


def _settings(server: LocalServer, server_key: str) -> list[str]:
    return ["--api-key", server_key, "--org-id", "org-cli", "--base-url", server.url]


def test_log_from_flags_is_stored(
    server: LocalServer, capsys: pytest.CaptureFixture[str], server_key: str
) -> None:
    code = main(
        [
            "log", "--prompt", "hello", "--response", "hi there", "--session", "s-1", "--model", "m-1",
            "--user-id", "u-1", "--token-count", "12", "--response-time", "0.5", "--message-id", "cli-1",
            "--metadata", '{"app": "cli"}', "--user-metadata", '{"plan": "pro"}', "--mode", "dev",
            *_settings(server, server_key),
        ]
    )  # fmt: skip
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer == {"status": "ok", "message_id": "cli-1", "duplicate": False}
    stored = server.store.get_log("cli-1")
    assert stored is not None
    assert (stored["user_prompt"], stored["response"], stored["ai_response"]) == (
        "hello",
        "hi there",
        "hi there",
    )
    assert (stored["session_id"], stored["llm_model"], stored["user_id"]) == ("s-1", "m-1", "u-1")
    assert (stored["token_count"], stored["response_time"]) == (12, 0.5)
    assert (stored["org_id"], stored["mode"]) == ("org-cli", "dev")
    assert stored["metaData"] == {"app": "cli"} and stored["user_meta_data"] == {"plan": "pro"}


def test_log_from_json_argument_with_a_flag_overriding(server: LocalServer, server_key: str) -> None:
    body = {"user_prompt": "q", "ai_response": "from json", "message_id": "cli-json", "step_data": [{"x": 1}]}
    assert (
        main(["log", "--json", json.dumps(body), "--response", "from flag", *_settings(server, server_key)])
        == 0
    )
    stored = server.store.get_log("cli-json")
    assert stored is not None
    assert stored["response"] == stored["ai_response"] == "from flag"
    assert stored["step_data"] == [{"x": 1}]


def test_log_from_stdin(server: LocalServer, monkeypatch: pytest.MonkeyPatch, server_key: str) -> None:
    body = {"user_prompt": "piped", "response": "yes", "message_id": "cli-stdin"}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(body)))
    assert main(["log", "--json", "-", *_settings(server, server_key)]) == 0
    stored = server.store.get_log("cli-stdin")
    assert stored is not None and stored["user_prompt"] == "piped"


def test_settings_come_from_the_environment_and_flags_win(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, server_key: str
) -> None:
    monkeypatch.setenv("HUGGINGPLACE_API_KEY", server_key)
    monkeypatch.setenv("HUGGINGPLACE_ORG_ID", "org-env")
    monkeypatch.setenv("HUGGINGPLACE_BASE_URL", server.url)
    assert main(["log", "--prompt", "p", "--response", "r", "--message-id", "env-1"]) == 0
    assert (
        main(["log", "--prompt", "p", "--response", "r", "--message-id", "flag-1", "--org-id", "org-flag"])
        == 0
    )
    from_env, from_flag = server.store.get_log("env-1"), server.store.get_log("flag-1")
    assert from_env is not None and from_env["org_id"] == "org-env"
    assert from_flag is not None and from_flag["org_id"] == "org-flag"


def test_wrong_key_exits_1_without_printing_the_key(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong_key = "wrong-secret-key-987654321"
    code = main(
        [
            "log",
            "--prompt",
            "p",
            "--response",
            "r",
            "--api-key",
            wrong_key,
            "--org-id",
            "o",
            "--base-url",
            server.url,
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "AuthenticationError" in captured.err and "invalid API key" in captured.err
    assert wrong_key not in captured.out + captured.err
    assert server.store.count() == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--json", "{broken"], "not valid JSON"),
        (["--json", "[1]"], "JSON object"),
        (["--prompt", "only a prompt"], "response"),
        (["--prompt", "p", "--response", "r", "--metadata", "[]"], "--metadata"),
        ([], "nothing to log"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(
    server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
    server_key: str,
) -> None:
    assert main(["log", *arguments, *_settings(server, server_key)]) == 2
    assert message in capsys.readouterr().err
    assert server.requests_seen == 0


def test_missing_settings_exit_2_naming_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", "--prompt", "p", "--response", "r"]) == 2
    assert "HUGGINGPLACE_API_KEY" in capsys.readouterr().err
