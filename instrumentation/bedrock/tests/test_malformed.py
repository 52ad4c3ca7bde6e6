"""Malformed variants of the recorded Bedrock JSON responses (converse and invoke_model, every model family),
made by the shared mutation kit and replayed through a real boto3 client without and with instrumentation:
the caller sees no difference, every span ends once, what is recorded is well-typed.

The streamed actions (converse_stream, invoke_model_with_response_stream) answer in AWS's binary event-stream
framing, which the kit does not mutate (it mutates JSON bodies and server-sent events): their cassettes are
named below, and the stream contract tests cover their exit paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.response import StreamingBody
from huggingplace_instrumentation_bedrock import BedrockInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
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
    """What the caller gets: boto3's response dict, with an invoke body read as the caller reads it."""
    result = dict(call(client(base_url), interaction))
    body = result.get("body")
    if isinstance(body, StreamingBody):
        result["body"] = (type(body).__qualname__, body.read())
    return result


def _mutated(_: Path, interaction: Interaction) -> bool:
    return interaction.response.status < 400 and _action(interaction) in JSON_ACTIONS


SUBJECT = MutationSubject("bedrock", CASSETTES, _call, BedrockInstrumentor, accepts=_mutated)
CASES = mutation_cases(SUBJECT, per_kind=20)
# Every recording of a streamed action: binary event-stream frames, which the kit leaves alone.
NOT_MUTATED = sorted(path.stem for path in CASSETTES
                     if all(_action(i) in EVENT_STREAM_ACTIONS for i in interactions(path)))


def test_the_sample_covers_every_json_body_kind_and_both_actions() -> None:
    kinds = {case.mutation.kind for case in CASES}
    assert kinds == set(MUTATION_KINDS) - {"cut_stream"}  # a JSON body is not a stream
    assert len(all_mutation_cases(SUBJECT)) > len(CASES)
    assert {_action(interactions(case.cassette)[case.mutation.interaction]) for case in CASES} == set(JSON_ACTIONS)


def test_the_event_stream_cassettes_are_named_and_give_no_mutation() -> None:
    streamed = [path for path in CASSETTES if path.stem in NOT_MUTATED]
    assert NOT_MUTATED == [
        "test_anthropic__test_anthropic_3_completion_streaming",
        "test_anthropic__test_anthropic_converse_stream_with_tool_use",
        "test_guardrails__test_guardrail_converse_stream",
        "test_guardrails__test_guardrail_invoke_stream",
        "test_meta__test_meta_converse_stream",
        "test_nova__test_nova_converse_stream",
        "test_nova__test_nova_invoke_stream",
        "test_titan__test_titan_converse_stream",
        "test_titan__test_titan_invoke_stream",
    ]
    assert all(mutations_of(i) == [] for path in streamed for i in interactions(path))
    mutated = {case.cassette.stem for case in all_mutation_cases(SUBJECT)}
    assert {path.stem for path in CASSETTES} - set(NOT_MUTATED) == mutated


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
