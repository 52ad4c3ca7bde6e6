"""Reading cassettes: every recorded file loads, bodies keep their encoding, helpers decode them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from huggingplace_sdk.testing import (
    CASSETTES_DIR,
    CassettesNotFoundError,
    cassette_path,
    cassette_paths,
    decoded_body,
    load_cassette,
    recorded_json,
    recorded_request_json,
    recorded_sse_events,
)

MANIFEST = json.loads((CASSETTES_DIR / "MANIFEST.json").read_text())


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"] for entry in MANIFEST])
def test_every_cassette_loads_with_the_manifest_interaction_count(entry: dict[str, object]) -> None:
    interactions = load_cassette(CASSETTES_DIR / str(entry["file"]))
    assert len(interactions) == entry["interactions"]
    for interaction in interactions:
        assert interaction.request.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert interaction.request.path.startswith("/")
        assert 100 <= interaction.response.status < 600
        # Every body is readable once its content encoding is undone.
        decoded_body(interaction)


def test_gzip_body_is_kept_as_recorded_bytes_and_decodes_to_json() -> None:
    first = load_cassette(cassette_path("openai", "test_chat__test_chat"))[0]
    assert first.response.encoded
    assert first.response.body[:2] == b"\x1f\x8b"
    assert first.response.header("content-encoding") == "gzip"
    completion = recorded_json(first)
    assert completion["object"] == "chat.completion"
    assert completion["usage"]["prompt_tokens"] > 0
    assert recorded_request_json(first)["model"] == "gpt-3.5-turbo"


def test_sse_events_are_decoded_and_done_sentinel_dropped() -> None:
    interaction = load_cassette(cassette_path("openai", "test_chat__test_chat_async_streaming"))[0]
    raw = decoded_body(interaction).decode()
    events = recorded_sse_events(interaction)
    assert len(events) == raw.count("data: {")
    assert all(event["object"] == "chat.completion.chunk" for event in events)
    assert "[DONE]" not in events


def test_sse_events_with_event_lines(tmp_path: Path) -> None:
    body = 'event: a\ndata: {"x": 1}\n\nevent: b\ndata: plain text\n\n: comment\n\ndata: [DONE]\n\n'
    path = _write_cassette(tmp_path, body=json.dumps(body), content_type="text/event-stream")
    assert recorded_sse_events(load_cassette(path)[0]) == [{"x": 1}, "plain text"]


def test_python_text_tags_from_old_vcrpy_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            interactions:
            - request:
                body: !!python/unicode '{"a": 1}'
                headers: {}
                method: POST
                uri: https://example.test/v1/x
              response:
                body: {string: !!python/unicode '{"ok": true}'}
                headers: {Content-Type: [application/json]}
                status: {code: 200, message: OK}
            version: 1
            """
        )
    )
    interaction = load_cassette(path)[0]
    assert recorded_request_json(interaction) == {"a": 1}
    assert recorded_json(interaction) == {"ok": True}


def test_arbitrary_python_objects_are_refused(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "evil.yaml"
    path.write_text("interactions: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(yaml.YAMLError):
        load_cassette(path)


def test_text_body_with_gzip_header_is_not_marked_encoded(tmp_path: Path) -> None:
    path = _write_cassette(tmp_path, body=json.dumps('{"a": 1}'), content_encoding="gzip")
    interaction = load_cassette(path)[0]
    assert not interaction.response.encoded
    assert recorded_json(interaction) == {"a": 1}


def test_missing_cassette_raises_instead_of_skipping() -> None:
    with pytest.raises(CassettesNotFoundError, match="no_such_cassette"):
        cassette_path("openai", "no_such_cassette")
    with pytest.raises(CassettesNotFoundError):
        cassette_paths("no_such_vendor")
    with pytest.raises(CassettesNotFoundError):
        load_cassette(CASSETTES_DIR / "openai" / "no_such_cassette.yaml")


def test_cassette_paths_lists_a_vendor_sorted() -> None:
    paths = cassette_paths("openai", "test_embeddings__*.yaml")
    assert [p.name for p in paths] == sorted(p.name for p in paths)
    assert len(paths) == len([e for e in MANIFEST if str(e["file"]).startswith("openai/test_embeddings__")])


def _resolve_in_subprocess(env: dict[str, str], cwd: Path) -> str:
    code = "from huggingplace_sdk.testing import CASSETTES_DIR; print(CASSETTES_DIR)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_cassettes_dir_env_overrides_and_default_is_sibling_shared(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HUGGINGPLACE_CASSETTES"}
    found = Path(_resolve_in_subprocess(env, tmp_path))
    assert found.parts[-2:] == ("shared", "cassettes")
    assert (found / "openai").is_dir()
    env["HUGGINGPLACE_CASSETTES"] = str(tmp_path)
    assert _resolve_in_subprocess(env, tmp_path) == str(tmp_path)


def _write_cassette(
    tmp_path: Path, *, body: str, content_type: str = "application/json", content_encoding: str | None = None
) -> Path:
    headers = f"Content-Type: [{content_type}]"
    if content_encoding:
        headers += f", Content-Encoding: [{content_encoding}]"
    path = tmp_path / "synthetic.yaml"
    path.write_text(
        "interactions:\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/v1/x'}\n"
        f"  response:\n    body: {{string: {body}}}\n    headers: {{{headers}}}\n"
        "    status: {code: 200, message: OK}\nversion: 1\n"
    )
    return path


def test_public_surface_is_pinned() -> None:
    import huggingplace_sdk.testing as kit

    assert len(set(kit.__all__)) == len(kit.__all__)
    assert set(kit.__all__) == {
        "CASSETTES_DIR",
        "CASSETTES_ENV",
        "UNMATCHED_STATUS",
        "CassettesNotFoundError",
        "Interaction",
        "ReceivedRequest",
        "RecordedRequest",
        "RecordedResponse",
        "ReplayServer",
        "cassette_path",
        "cassette_paths",
        "decoded_body",
        "load_cassette",
        "recorded_json",
        "recorded_request_json",
        "recorded_sse_events",
        "ASYNC_EXIT_PATHS",
        "SYNC_EXIT_PATHS",
        "ContractError",
        "SpanCapture",
        "StreamCall",
        "StreamFault",
        "capture_spans",
        "check_async_exit_path",
        "check_sync_exit_path",
        "assert_no_secret_in_spans",
        "check_adapter_distribution",
        "check_instrument_idempotent_and_reversible",
        "check_missing_vendor_modules_skipped",
        # the mutation kit (malformed responses)
        "ABSURD_NUMBER",
        "CUT_STREAM",
        "DEFAULT_FOCUS",
        "INVALID_JSON",
        "LONE_HIGH_SURROGATE",
        "LONE_SURROGATE",
        "MUTATION_CASES_ENV",
        "MUTATION_KINDS",
        "REMOVE_FIELD",
        "WRONG_TYPE",
        "Mutation",
        "MutationCase",
        "MutationReport",
        "MutationSubject",
        "all_mutation_cases",
        "check_mutation",
        "metric_problems",
        "mutation_cases",
        "mutations_of",
        "span_attribute_problems",
    }
    assert all(hasattr(kit, name) for name in kit.__all__)
