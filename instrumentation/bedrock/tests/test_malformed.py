"""Malformed variants of the recorded Bedrock responses, made by the shared mutation kit: JSON bodies (converse,
invoke_model, every model family) and AWS event streams (converse_stream, invoke_model_with_response_stream:
a field of a frame's JSON, or of a chunk's decoded bytes, dropped or altered; the stream cut between or inside
frames). Each is replayed through a real boto3 client without and with instrumentation: the caller sees no
difference, every span ends once, what is recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.eventstream import EventStream
from botocore.response import StreamingBody
from huggingplace_instrumentation_bedrock import BedrockInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    INVALID_JSON,
    MUTATION_CASES_ENV,
    MUTATION_KINDS,
    WRONG_TYPE,
    Interaction,
    Mutation,
    MutationCase,
    MutationSubject,
    all_mutation_cases,
    cassette_paths,
    check_mutation,
    mutation_cases,
    mutations_of,
    recorded_json,
)

from ._recorded import call, client, interactions, model_and_action

CASSETTES = cassette_paths("bedrock")
JSON_ACTIONS = ("converse", "invoke")
EVENT_STREAM_ACTIONS = ("converse-stream", "invoke-with-response-stream")


def _action(interaction: Interaction) -> str:
    return model_and_action(interaction)[1]


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    """What the caller gets: boto3's response dict, its body or stream read as the caller reads it."""
    result = dict(call(client(base_url), interaction))
    for key in ("body", "stream"):
        given = result.get(key)
        if isinstance(given, StreamingBody):
            result[key] = (type(given).__qualname__, given.read())
        elif isinstance(given, EventStream):
            result[key] = (type(given).__qualname__, list(given))
    return result


def _mutated(_: Path, interaction: Interaction) -> bool:
    return interaction.response.status < 400


SUBJECT = MutationSubject("bedrock", CASSETTES, _call, BedrockInstrumentor, accepts=_mutated)
PER_KIND = 20  # about 20-40 s per adapter on an idle machine
CASES = mutation_cases(SUBJECT, per_kind=PER_KIND)


def _case_action(case: MutationCase) -> str:
    return _action(interactions(case.cassette)[case.mutation.interaction])


def test_the_sample_covers_every_kind_and_every_action(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MUTATION_CASES_ENV, raising=False)  # the default spread, whatever the run's size
    sample = mutation_cases(SUBJECT, per_kind=PER_KIND)
    assert {case.mutation.kind for case in sample} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(sample)
    assert {_case_action(case) for case in sample} == set(JSON_ACTIONS + EVENT_STREAM_ACTIONS)
    streamed = {case.mutation.kind for case in sample if _case_action(case) in EVENT_STREAM_ACTIONS}
    assert streamed == set(MUTATION_KINDS)  # event-stream frames too, not only the JSON bodies


def test_every_cassette_gives_mutations() -> None:
    assert {case.cassette.stem for case in all_mutation_cases(SUBJECT)} == {path.stem for path in CASSETTES}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)


# Found by the kit (a wider sample than CASES): a list field of another type made the invoke codec raise.
FOUND = [
    ("test_ai21__test_ai21_j2_completion_string_content", ("completions", 0, "data"), "not-an-object"),
    ("test_ai21__test_ai21_j2_completion_string_content", ("completions", 0, "data"), 1),
    ("test_anthropic__test_anthropic_3_completion_complex_content", ("content",), 1),
    ("test_cohere__test_cohere_completion", ("generations",), 1),
    ("test_titan__test_titan_completion", ("results",), 1),
]


@pytest.mark.parametrize(("stem", "path", "value"), FOUND, ids=[f"{s}-{'.'.join(map(str, p))}" for s, p, _ in FOUND])
def test_a_list_field_of_another_type_is_skipped(stem: str, path: tuple[str | int, ...], value: Any) -> None:
    cassette = next(c for c in CASSETTES if c.stem == stem)
    report = check_mutation(SUBJECT, MutationCase(cassette, Mutation(WRONG_TYPE, 0, path=path, value=value)))
    recorded = recorded_json(interactions(cassette)[0])
    attributes = report.spans[0].attributes or {}
    if "usage" in recorded:  # what the codec reads beside the broken field is kept
        assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == recorded["usage"]["output_tokens"]
        assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded["id"]
    if "inputTextTokenCount" in recorded:
        assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == recorded["inputTextTokenCount"]


@pytest.mark.parametrize("stem", ["test_anthropic__test_anthropic_3_completion_streaming",
                                  "test_guardrails__test_guardrail_invoke_stream"])
def test_an_invoke_stream_chunk_that_is_not_json_is_skipped(stem: str) -> None:
    """Found by the kit: a chunk whose bytes are not JSON made the stream reader raise (internal error)."""
    cassette = next(c for c in CASSETTES if c.stem == stem)
    mutation = next(m for m in mutations_of(interactions(cassette)[0]) if m.kind == INVALID_JSON and m.event == 0)
    report = check_mutation(SUBJECT, MutationCase(cassette, mutation))
    events = report.outcome[1][1]
    assert "EventStream" in events and "chunk" in events  # the caller got every chunk, the broken one too
    attributes = report.spans[0].attributes or {}
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
