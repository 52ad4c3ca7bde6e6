"""Malformed variants of the recorded Groq chat completions (JSON bodies and SSE streams), made by the shared
mutation kit and replayed through the real groq client without and with instrumentation: the caller sees no
difference, every span ends once, what is recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huggingplace_instrumentation_groq import GroqInstrumentor

from huggingplace_sdk.testing import (
    MUTATION_CASES_ENV,
    MUTATION_KINDS,
    Interaction,
    MutationCase,
    MutationSubject,
    all_mutation_cases,
    check_mutation,
    load_cassette,
    mutation_cases,
    recorded_request_json,
)

from .test_replay import CASSETTES
from .test_replay import _call as call_groq


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    # The async recording goes through the async client, the others through the sync one.
    use_async = "async" in cassette.name
    if use_async:
        return call_groq(base_url, interaction, use_async=True)
    coroutine = call_groq(base_url, interaction, use_async=False)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the sync call awaited")


# The client's own pydantic serializers warn about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("groq", CASSETTES, _call, GroqInstrumentor,
                          accepts=lambda _, interaction: interaction.response.status < 400)
PER_KIND = 20  # about 20-30 s on an idle machine
CASES = mutation_cases(SUBJECT, per_kind=PER_KIND)


def _streams(case: MutationCase) -> bool:
    return bool(recorded_request_json(load_cassette(case.cassette)[case.mutation.interaction]).get("stream"))


def test_the_sample_covers_every_mutation_kind_and_both_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MUTATION_CASES_ENV, raising=False)  # the default spread, whatever the run's size
    sample = mutation_cases(SUBJECT, per_kind=PER_KIND)
    assert {case.mutation.kind for case in sample} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(sample) >= len(MUTATION_KINDS)
    assert {_streams(case) for case in sample} == {True, False}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
