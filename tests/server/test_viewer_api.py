"""The viewer's HTTP side: static files, the one-time sign-in, and the read API joining spans and logs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from huggingplace_sdk import _semconv
from huggingplace_sdk._server import LocalServer

JSON_TYPE = {"Content-Type": "application/json"}
VIEWER_DIR = Path(__file__).resolve().parents[2] / "src" / "huggingplace_sdk" / "_server" / "viewer"


def _attr(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def _span(trace: int, span: int, name: str, start_s: float, end_s: float, parent: int | None = None,
          error: bool = False, **attributes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "traceId": f"{trace:032x}",
        "spanId": f"{span:016x}",
        "name": name,
        "kind": 1,
        "startTimeUnixNano": str(int(start_s * 1e9)),
        "endTimeUnixNano": str(int(end_s * 1e9)),
        "attributes": [_attr(key.replace("__", "."), value) for key, value in attributes.items()],
    }
    if parent is not None:
        body["parentSpanId"] = f"{parent:016x}"
    if error:
        body["status"] = {"code": 2, "message": "failed"}
    return body


def _send(client: httpx.Client, *spans: dict[str, Any]) -> None:
    body = {"resourceSpans": [{"scopeSpans": [{"spans": list(spans)}]}]}
    assert client.post("/v1/traces", content=json.dumps(body), headers=JSON_TYPE).status_code == 200


T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def fed(client: httpx.Client, make_log: Any) -> httpx.Client:
    # Session "alpha": two traces; the second failed. Its first trace also arrived as a linked log.
    _send(
        client,
        _span(1, 1, "answer", T0, T0 + 2, session__id="alpha", user__id="ann", huggingplace__step__type="agent",
              huggingplace__step__user_question="q1", huggingplace__step__prompt_response="a1"),
        _span(1, 2, "chat gpt-x", T0 + 0.5, T0 + 1.5, parent=1, session__id="alpha", user__id="ann",
              gen_ai__operation__name="chat", gen_ai__response__model="gpt-x",
              gen_ai__usage__input_tokens=10, gen_ai__usage__output_tokens=4),
        _span(2, 3, "chat gpt-y", T0 + 10, T0 + 11, session__id="alpha", error=True,
              gen_ai__operation__name="chat", gen_ai__request__model="gpt-y", gen_ai__usage__input_tokens=3),
    )
    linked = make_log(session_id="alpha", user_id="ann", message_id="m-linked",
                      metaData={"trace_id": f"{1:032x}", "status": "ok"})
    # Session "beta": only a log (no spans over OTLP).
    beta = make_log(session_id="beta", user_id="bob", message_id="m-beta", llm_model="gpt-z", token_count=9)
    for body in (linked, beta):
        assert client.post("/v2/chatgpt/store_generated_response", json=body).status_code == 200
    return client


def _sessions(client: httpx.Client, **query: Any) -> dict[str, Any]:
    response = client.get("/v1/viewer/sessions", params=query)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_sessions_join_spans_and_logs(fed: httpx.Client) -> None:
    page = _sessions(fed)
    assert page["total"] == 2
    by_id = {s["session_id"]: s for s in page["sessions"]}
    alpha = by_id["alpha"]
    # Two traces; the linked log is the first trace again, not a third interaction.
    assert alpha["interactions"] == 2
    assert (alpha["input_tokens"], alpha["output_tokens"]) == (13, 4)
    assert alpha["errors"] == 1 and alpha["user_id"] == "ann"
    assert alpha["models"] == ["gpt-x", "gpt-y"]
    assert alpha["first_seen"].startswith("2026-01-01T00:00:00") and alpha["sources"] == ["otlp", "logs"]
    beta = by_id["beta"]
    assert (beta["interactions"], beta["input_tokens"], beta["models"], beta["sources"]) == (1, 9, ["gpt-z"], ["logs"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"session": "ALP"}, ["alpha"]),
        ({"user": "bo"}, ["beta"]),
        ({"model": "gpt-y"}, ["alpha"]),
        ({"status": "error"}, ["alpha"]),
        ({"status": "ok"}, ["beta"]),
        ({"until": "2026-01-01T00:00:05+00:00"}, ["alpha"]),
        ({"since": "2030-01-01T00:00:00+00:00"}, []),
    ],
)
def test_session_search(fed: httpx.Client, query: dict[str, str], expected: list[str]) -> None:
    assert [s["session_id"] for s in _sessions(fed, **query)["sessions"]] == expected


def test_session_pages(fed: httpx.Client) -> None:
    first = _sessions(fed, limit=1)
    second = _sessions(fed, limit=1, offset=1)
    assert first["total"] == second["total"] == 2
    assert {first["sessions"][0]["session_id"], second["sessions"][0]["session_id"]} == {"alpha", "beta"}
    assert fed.get("/v1/viewer/sessions", params={"limit": "x"}).status_code == 400
    assert fed.get("/v1/viewer/sessions", params={"status": "weird"}).status_code == 400
    assert "ISO 8601" in fed.get("/v1/viewer/sessions", params={"since": "yesterday"}).json()["message"]


def test_a_session_as_a_conversation(fed: httpx.Client) -> None:
    alpha = fed.get("/v1/viewer/sessions/alpha").json()["interactions"]
    assert [(i["kind"], i["prompt"], i["response"], i["model"]) for i in alpha] == [
        ("trace", "q1", "a1", "gpt-x"),
        ("trace", None, None, "gpt-y"),
    ]
    assert alpha[0]["message_id"] == "m-linked" and alpha[1]["errors"] == 1
    beta = fed.get("/v1/viewer/sessions/beta").json()["interactions"]
    assert [(i["kind"], i["prompt"], i["message_id"]) for i in beta] == [("log", "What is 2+2?", "m-beta")]
    assert fed.get("/v1/viewer/sessions/nobody").status_code == 404


def test_a_trace_with_its_linked_log(fed: httpx.Client) -> None:
    trace = fed.get(f"/v1/traces/{1:032x}").json()
    assert [span["name"] for span in trace["spans"]] == ["answer", "chat gpt-x"]
    assert [log["message_id"] for log in trace["logs"]] == ["m-linked"]
    assert fed.get(f"/v1/traces/{9:032x}").status_code == 404
    summaries = fed.get("/v1/traces", params={"session_id": "alpha"}).json()["traces"]
    assert [(t["root_name"], t["span_count"], t["errors"]) for t in summaries] == [
        ("chat gpt-y", 1, 1),
        ("answer", 2, 0),
    ]


def test_page_and_assets_need_no_key_and_forbid_inline_script(server: LocalServer) -> None:
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert httpx.get(server.url + "/viewer/app.js").status_code == 200
    assert httpx.get(server.url + "/viewer/index.html").status_code == 404  # only the listed assets
    assert httpx.get(server.url + "/viewer/..%2F_store.py").status_code == 404
    assert httpx.get(server.url + "/v1/viewer/sessions").status_code == 401  # data needs a key or the cookie


def test_one_time_token_sign_in(server: LocalServer) -> None:
    url = server.login_url("/trace/abc")
    assert url.endswith("#/trace/abc")
    path = url.removeprefix(server.url).split("#")[0]
    with httpx.Client(base_url=server.url) as browser:
        answer = browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert browser.get("/v1/viewer/sessions").status_code == 200
        assert browser.get("/v1/logs").status_code == 200
    with httpx.Client(base_url=server.url) as other:
        assert other.get(path).status_code == 403  # spent
        assert other.get("/login?token=guess").status_code == 403
        assert other.get("/v1/viewer/sessions", headers={"Cookie": "hp_viewer=forged"}).status_code == 401


def test_without_auth_the_viewer_is_open(make_log: Any) -> None:
    with LocalServer(api_key=None) as open_server:
        assert httpx.get(open_server.url + "/v1/viewer/sessions").json()["total"] == 0


def test_the_script_uses_only_attribute_names_from_semconv() -> None:
    script = (VIEWER_DIR / "app.js").read_text()
    table = script[script.index("const A = {") : script.index("};", script.index("const A = {"))]
    names = re.findall(r':\s*"([^"]+)"', table)
    known = {value for value in vars(_semconv).values() if isinstance(value, str)}
    assert names and [name for name in names if name not in known] == []
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code and "eval(" not in code


def test_the_viewer_ships_inside_the_wheel(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run(
        [uv, "build", "--wheel", "--no-build-logs", "-o", str(tmp_path), str(root)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr
    [wheel] = tmp_path.glob("huggingplace_sdk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    for asset in ("index.html", "app.js", "app.css"):
        assert f"huggingplace_sdk/_server/viewer/{asset}" in names
    assert "Requires-Dist: opentelemetry-proto" in metadata


def test_a_bare_llm_call_reads_its_prompt_and_answer_from_captured_messages(client: httpx.Client) -> None:
    sent_in = [{"role": "system", "parts": [{"type": "text", "content": "be brief"}]},
               {"role": "user", "parts": [{"type": "text", "content": "hello?"}]}]
    sent_out = [{"role": "assistant", "parts": [{"type": "text", "content": "hi!"}], "finish_reason": "stop"}]
    _send(client, _span(5, 9, "chat m", T0, T0 + 1, session__id="bare", gen_ai__operation__name="chat",
                        gen_ai__input__messages=json.dumps(sent_in), gen_ai__output__messages=json.dumps(sent_out)))
    [item] = client.get("/v1/viewer/sessions/bare").json()["interactions"]
    assert (item["prompt"], item["response"]) == ("hello?", "hi!")
