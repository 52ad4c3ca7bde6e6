"""Malformed variants of the recorded Cohere responses (JSON bodies of chat, generate, embed and rerank; NDJSON
streams of v1 chat, SSE streams of v2 chat), made by the shared mutation kit and replayed through the real
cohere client without and with instrumentation: the caller sees no difference, every span ends once, what is
recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huggingplace_instrumentation_cohere import CohereInstrumentor

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

from ._recorded import call_of
from .test_replay import CASSETTES
from .test_replay import _call as call_cohere


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    if "async" in cassette.name:  # the async recordings go through the async clients
        return call_cohere(base_url, interaction, use_async=True)
    coroutine = call_cohere(base_url, interaction, use_async=False)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the sync call awaited")


# The client's own pydantic serializers warn about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("cohere", CASSETTES, _call, CohereInstrumentor,
                          accepts=lambda _, interaction: interaction.response.status < 400)
PER_KIND = 20  # about 20-30 s on an idle machine
CASES = mutation_cases(SUBJECT, per_kind=PER_KIND)


def _call_of(case: MutationCase) -> tuple[str, str]:
    version, method, _ = call_of(load_cassette(case.cassette)[case.mutation.interaction])
    return version, method


def test_the_sample_covers_every_mutation_kind_and_both_stream_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MUTATION_CASES_ENV, raising=False)  # the default spread, whatever the run's size
    sample = mutation_cases(SUBJECT, per_kind=PER_KIND)
    assert {case.mutation.kind for case in sample} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(sample) >= len(MUTATION_KINDS)
    calls = {_call_of(case) for case in sample}
    assert {("v1", "chat_stream"), ("v2", "chat_stream")} <= calls  # NDJSON and SSE streams


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
