"""The mutation kit itself: the variants it derives, and that its check fails on each kind of bug it is
meant to catch (a test kit that cannot fail would prove nothing)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ABSURD_NUMBER,
    CUT_STREAM,
    INVALID_JSON,
    LONE_HIGH_SURROGATE,
    LONE_SURROGATE,
    MUTATION_CASES_ENV,
    MUTATION_KINDS,
    REMOVE_FIELD,
    WRONG_TYPE,
    Interaction,
    MutationCase,
    MutationSubject,
    all_mutation_cases,
    cassette_path,
    check_mutation,
    decoded_body,
    load_cassette,
    mutation_cases,
    mutations_of,
)

BODY = {"id": "r-1", "model": "m-1", "choices": [{"text": "hi"}], "usage": {"input_tokens": 3}}
EVENTS = [{"id": "r-1", "delta": "hel"}, {"delta": "lo", "usage": {"output_tokens": 2}}]


def _cassette(tmp_path: Path) -> Path:
    json_body = json.dumps(BODY)
    sse_body = "".join(f"data: {json.dumps(event)}\n\n" for event in EVENTS) + "data: [DONE]\n\n"
    path = tmp_path / "fake.yaml"
    path.write_text(
        "interactions:\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/v1/json'}\n"
        f"  response:\n    body: {{string: {json.dumps(json_body)}}}\n"
        "    headers: {Content-Type: [application/json]}\n    status: {code: 200, message: OK}\n"
        "- request: {body: '', headers: {}, method: GET, uri: 'https://example.test/v1/sse'}\n"
        f"  response:\n    body: {{string: {json.dumps(sse_body)}}}\n"
        "    headers: {Content-Type: [text/event-stream]}\n    status: {code: 200, message: OK}\n"
        "version: 1\n")
    return path


def test_a_json_body_gets_every_kind_but_cut_streams(tmp_path: Path) -> None:
    interaction = load_cassette(_cassette(tmp_path))[0]
    mutations = mutations_of(interaction)
    assert {m.kind for m in mutations} == set(MUTATION_KINDS) - {CUT_STREAM}
    removed = next(m for m in mutations if m.kind == REMOVE_FIELD and m.path == ("usage",))
    assert json.loads(decoded_body(removed.apply(interaction))) == {k: v for k, v in BODY.items() if k != "usage"}
    absurd = [m.value for m in mutations if m.kind == ABSURD_NUMBER and m.path == ("usage", "input_tokens")]
    assert absurd == [-1, 2**64]
    surrogate = next(m for m in mutations if m.kind == LONE_SURROGATE and m.path == ("model",))
    body = decoded_body(surrogate.apply(interaction))
    assert b'"m-1\\ud83d"' in body  # sent as a JSON escape, as a server would
    assert json.loads(body)["model"] == "m-1" + LONE_HIGH_SURROGATE
    wrong = {type(m.value) for m in mutations if m.kind == WRONG_TYPE and m.path == ("choices",)}
    assert wrong == {dict, str, int}
    for invalid in (m for m in mutations if m.kind == INVALID_JSON):
        with pytest.raises(ValueError):
            json.loads(decoded_body(invalid.apply(interaction)))


def test_a_stream_gets_event_mutations_and_cuts(tmp_path: Path) -> None:
    interaction = load_cassette(_cassette(tmp_path))[1]
    mutations = mutations_of(interaction)
    assert {m.kind for m in mutations} == set(MUTATION_KINDS)
    cut = next(m for m in mutations if m.kind == CUT_STREAM and m.keep_events == 1 and not m.abort)
    text = decoded_body(cut.apply(interaction)).decode()
    assert text.startswith(f"data: {json.dumps(EVENTS[0])}\n\n") and "[DONE]" not in text
    aborted = next(m for m in mutations if m.kind == CUT_STREAM and m.abort)
    assert aborted.stream_fault is not None and aborted.stream_fault.after_pieces == aborted.keep_events
    changed = next(m for m in mutations if m.kind == REMOVE_FIELD and m.event == 1 and m.path == ("usage",))
    events = decoded_body(changed.apply(interaction)).decode().split("\n\n")
    assert json.loads(events[1].removeprefix("data: ")) == {"delta": "lo"}
    assert json.loads(events[0].removeprefix("data: ")) == EVENTS[0]


def test_a_header_less_stream_is_mutated_as_a_stream(tmp_path: Path) -> None:
    path = _cassette(tmp_path)
    path.write_text(path.read_text().replace("headers: {Content-Type: [text/event-stream]}", "headers: {}"))
    assert {m.kind for m in mutations_of(load_cassette(path)[1])} == set(MUTATION_KINDS)


def test_an_ndjson_stream_gets_line_mutations_and_cuts(tmp_path: Path) -> None:
    path = _cassette(tmp_path)
    ndjson_body = "".join(f"{json.dumps(event)}\n" for event in EVENTS)
    path.write_text(path.read_text().replace(json.dumps("".join(
        f"data: {json.dumps(event)}\n\n" for event in EVENTS) + "data: [DONE]\n\n"), json.dumps(ndjson_body))
        .replace("[text/event-stream]", "[application/x-ndjson]"))
    interaction = load_cassette(path)[1]
    mutations = mutations_of(interaction)
    assert {m.kind for m in mutations} == set(MUTATION_KINDS)
    changed = next(m for m in mutations if m.kind == REMOVE_FIELD and m.event == 1 and m.path == ("usage",))
    lines = decoded_body(changed.apply(interaction)).decode().splitlines()
    assert [json.loads(line) for line in lines] == [EVENTS[0], {"delta": "lo"}]
    cut = next(m for m in mutations if m.kind == CUT_STREAM and m.keep_events == 1 and not m.abort)
    text = decoded_body(cut.apply(interaction)).decode()
    assert text.startswith(f"{json.dumps(EVENTS[0])}\n") and len(text) < len(ndjson_body)
    invalid = next(m for m in mutations if m.kind == INVALID_JSON and m.event == 0)
    first, second = decoded_body(invalid.apply(interaction)).decode().splitlines()
    with pytest.raises(ValueError):
        json.loads(first)
    assert json.loads(second) == EVENTS[1]


def _aws_events(body: bytes) -> list[tuple[str, Any]]:
    """(event type, the JSON the caller reads) per frame, decoded by botocore (which checks every CRC)."""
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(body)
    events = []
    for message in buffer:
        payload = json.loads(message.payload)
        if "bytes" in payload:
            payload = json.loads(base64.b64decode(payload["bytes"]))
        events.append((str(message.headers[":event-type"]), payload))
    return events


@pytest.mark.parametrize("name", ["test_nova__test_nova_invoke_stream", "test_meta__test_meta_converse_stream"])
def test_an_aws_event_stream_gets_frame_mutations_and_cuts(name: str) -> None:
    pytest.importorskip("botocore")
    interaction = load_cassette(cassette_path("bedrock", name))[0]
    recorded = _aws_events(decoded_body(interaction))
    mutations = mutations_of(interaction)
    assert {m.kind for m in mutations} == set(MUTATION_KINDS)
    last = len(recorded) - 1
    field = next(iter(recorded[last][1]))
    removed = next(m for m in mutations if m.kind == REMOVE_FIELD and m.event == last and m.path == (field,))
    events = _aws_events(decoded_body(removed.apply(interaction)))  # valid frames: lengths and CRCs redone
    assert events[:last] == recorded[:last]
    assert events[last] == (recorded[last][0], {k: v for k, v in recorded[last][1].items() if k != field})
    surrogate = next(m for m in mutations if m.kind == LONE_SURROGATE)
    event = surrogate.event or 0
    assert _aws_events(decoded_body(surrogate.apply(interaction)))[event] != recorded[event]
    cut = next(m for m in mutations if m.kind == CUT_STREAM and m.keep_events == 1 and not m.abort)
    cut_body = decoded_body(cut.apply(interaction))
    whole_frames = _aws_events(cut_body[: len(cut_body) - cut.partial_bytes])
    assert whole_frames == recorded[:1] and cut.partial_bytes > 0
    invalid = next(m for m in mutations if m.kind == INVALID_JSON and m.event == 0)
    with pytest.raises(ValueError):
        _aws_events(decoded_body(invalid.apply(interaction)))

# --- a fake adapter whose instrumentation can be told to misbehave ----------------------------------------
_active: dict[str, Any] = {}


class _FakeInstrumentor:
    def __init__(self, bug: str | None = None) -> None:
        self.bug = bug

    def instrument(self, *, tracer_provider: Any, **_: Any) -> None:
        _active.update(tracer=tracer_provider.get_tracer("fake"), bug=self.bug)

    def uninstrument(self) -> None:
        _active.clear()


def _fake_call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    response = httpx.get(base_url + interaction.request.path, verify=False)  # loopback: no CA bundle to load
    tracer = _active.get("tracer")
    if tracer is None:
        return response.json()
    span = tracer.start_span("fake call")
    try:
        body = response.json()
    except ValueError:
        span.end()
        raise
    bug = _active["bug"]
    if bug == "leave_open":
        return body
    if bug == "change_result":
        body = {**body, "extra": True}
    if bug == "bad_attribute" and isinstance(body.get("model"), str):
        span.set_attribute(sc.GEN_AI_RESPONSE_MODEL, body["model"])  # unrepaired: may hold a lone surrogate
    if bug == "absurd_tokens":
        span.set_attribute(sc.GEN_AI_USAGE_INPUT_TOKENS, -1)
    span.end()
    return body


def _subject(tmp_path: Path, bug: str | None) -> MutationSubject:
    return MutationSubject("fake", [_cassette(tmp_path)], _fake_call, lambda: _FakeInstrumentor(bug),
                           accepts=lambda _, interaction: interaction.request.path.endswith("/json"))


def _case(subject: MutationSubject, kind: str, path: tuple[str | int, ...] = ()) -> MutationCase:
    return next(c for c in all_mutation_cases(subject) if c.mutation.kind == kind and c.mutation.path == path)


def test_a_well_behaved_adapter_passes(tmp_path: Path) -> None:
    subject = _subject(tmp_path, None)
    for case in mutation_cases(subject, per_kind=3):
        report = check_mutation(subject, case)
        assert [span.name for span in report.spans] == ["fake call"]
    invalid = _case(subject, INVALID_JSON)
    assert check_mutation(subject, invalid).outcome[0] == "raised"


@pytest.mark.parametrize(("bug", "kind", "path", "message"), [
    ("leave_open", REMOVE_FIELD, ("usage",), "not ended when the call returned"),
    ("change_result", REMOVE_FIELD, ("usage",), "the caller saw"),
    ("bad_attribute", LONE_SURROGATE, ("model",), "cannot be encoded as UTF-8"),
    ("absurd_tokens", REMOVE_FIELD, ("usage",), "is not a token count"),
])
def test_the_check_fails_on_each_kind_of_bug(tmp_path: Path, bug: str, kind: str, path: tuple[str, ...],
                                             message: str) -> None:
    subject = _subject(tmp_path, bug)
    with pytest.raises(AssertionError, match=message):
        check_mutation(subject, _case(subject, kind, path))


def test_the_sample_is_deterministic_and_covers_each_kind(tmp_path: Path) -> None:
    subject = MutationSubject("fake", [_cassette(tmp_path)], _fake_call, _FakeInstrumentor)
    first = [case.id for case in mutation_cases(subject, per_kind=4)]
    assert first == [case.id for case in mutation_cases(subject, per_kind=4)]
    assert {case.split("-")[1] for case in first} == set(MUTATION_KINDS)
    assert len(first) == len(set(first)) <= 4 * len(MUTATION_KINDS)


def test_the_environment_overrides_the_sample_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subject = MutationSubject("fake", [_cassette(tmp_path)], _fake_call, _FakeInstrumentor)
    monkeypatch.setenv(MUTATION_CASES_ENV, "1")
    assert len(mutation_cases(subject, per_kind=4)) == len(MUTATION_KINDS)
    monkeypatch.setenv(MUTATION_CASES_ENV, "lots")  # logged, and the argument stands
    assert len(mutation_cases(subject, per_kind=2)) == 2 * len(MUTATION_KINDS)
