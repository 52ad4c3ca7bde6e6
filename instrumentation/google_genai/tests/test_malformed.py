"""Malformed variants of the recorded google-genai responses (Gemini API and Vertex AI, JSON bodies and SSE
streams), made by the shared mutation kit and replayed through the real client without and with
instrumentation: the caller sees no difference, every span ends once, what is recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huggingplace_instrumentation_google_genai import GoogleGenAIInstrumentor

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
)

from ._drive import call_async, call_sync, client_for, is_vertex, operation_of, unsupported_config
from .test_replay import REPLAYED, TRACED_OPERATIONS


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    client = client_for(interaction, base_url)
    if "async" in cassette.name:  # the async recordings go through client.aio
        return call_async(client, interaction)
    return call_sync(client, interaction)


def _replayable(_: Path, interaction: Interaction) -> bool:
    return (interaction.response.status < 400 and operation_of(interaction) in TRACED_OPERATIONS
            and unsupported_config(interaction) is None)


# The client's own pydantic models warn about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("google_genai", REPLAYED, _call, GoogleGenAIInstrumentor, accepts=_replayable)
PER_KIND = 20  # about 20-40 s per adapter on an idle machine
CASES = mutation_cases(SUBJECT, per_kind=PER_KIND)


def _interaction(case: MutationCase) -> Interaction:
    return load_cassette(case.cassette)[case.mutation.interaction]


def test_the_sample_covers_every_mutation_kind_and_both_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MUTATION_CASES_ENV, raising=False)  # the default spread, whatever the run's size
    sample = mutation_cases(SUBJECT, per_kind=PER_KIND)
    assert {case.mutation.kind for case in sample} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(sample) >= len(MUTATION_KINDS)
    backends = {is_vertex(_interaction(case)) for case in sample}
    assert backends == {True, False}
    operations = {operation_of(_interaction(case)) for case in sample}
    assert {"generateContent", "streamGenerateContent"} <= operations


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
