"""Malformed variants of the recorded Ollama responses (JSON bodies and NDJSON streams of chat, generate and
embeddings), made by the shared mutation kit and replayed through the real ollama client without and with
instrumentation: the caller sees no difference, every span ends once, what is recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ollama
import pytest
from huggingplace_instrumentation_ollama import OllamaInstrumentor

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

from ._recorded import call_kwargs
from .test_replay import CASSETTES


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    method, kwargs = call_kwargs(interaction)
    if "async" in cassette.name:  # the async recordings go through AsyncClient
        return _call_async(base_url, method, kwargs)
    result = getattr(ollama.Client(host=base_url), method)(**kwargs)
    return list(result) if kwargs.get("stream") else result


async def _call_async(base_url: str, method: str, kwargs: dict[str, Any]) -> Any:
    result = await getattr(ollama.AsyncClient(host=base_url), method)(**kwargs)
    return [chunk async for chunk in result] if kwargs.get("stream") else result


# The client's own pydantic serializers warn about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("ollama", CASSETTES, _call, OllamaInstrumentor,
                          accepts=lambda _, interaction: interaction.response.status < 400)
PER_KIND = 20  # about 20-30 s on an idle machine
CASES = mutation_cases(SUBJECT, per_kind=PER_KIND)


def _interaction(case: MutationCase) -> Interaction:
    return load_cassette(case.cassette)[case.mutation.interaction]


def test_the_sample_covers_every_mutation_kind_methods_and_ndjson_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MUTATION_CASES_ENV, raising=False)  # the default spread, whatever the run's size
    sample = mutation_cases(SUBJECT, per_kind=PER_KIND)
    assert {case.mutation.kind for case in sample} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(sample) >= len(MUTATION_KINDS)
    assert {call_kwargs(_interaction(case))[0] for case in sample} >= {"chat", "generate"}
    streamed = [case for case in sample if call_kwargs(_interaction(case))[1].get("stream")]
    assert any(case.mutation.event is not None for case in streamed)  # NDJSON lines are mutated one by one
    assert any(case.mutation.kind == "cut_stream" for case in streamed)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
