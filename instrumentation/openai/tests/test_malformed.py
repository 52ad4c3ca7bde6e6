"""Malformed variants of the recorded openai responses (the shared mutation kit), replayed through the real
client without and with instrumentation: the caller sees no difference, every span ends once, what is
recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk.testing import (
    MUTATION_KINDS,
    Interaction,
    MutationCase,
    MutationSubject,
    all_mutation_cases,
    check_mutation,
    mutation_cases,
)

from ._drive import replay_async, replay_sync
from .test_replay import CASSETTES

# Plain-HTTP loopback: no TLS context (loading the CA bundle costs more than the call itself).
_CLIENT_OPTIONS: dict[str, Any] = {"api_key": "sk-test-secret-key", "max_retries": 0}


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    if "async" in cassette.name:
        return _call_async(base_url, cassette, interaction)
    http_client = openai.DefaultHttpxClient(verify=False)
    with openai.OpenAI(base_url=f"{base_url}/v1", http_client=http_client, **_CLIENT_OPTIONS) as client:
        return replay_sync(client, cassette.name, interaction)


async def _call_async(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    http_client = openai.DefaultAsyncHttpxClient(verify=False)
    async with openai.AsyncOpenAI(base_url=f"{base_url}/v1", http_client=http_client, **_CLIENT_OPTIONS) as client:
        return await replay_async(client, cassette.name, interaction)


# The client's own pydantic serializer warns about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("openai", CASSETTES, _call, OpenAIInstrumentor,
                          accepts=lambda _, interaction: interaction.response.status < 400)
CASES = mutation_cases(SUBJECT, per_kind=30)


def test_the_sample_covers_every_mutation_kind() -> None:
    assert {case.mutation.kind for case in CASES} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(CASES) >= len(MUTATION_KINDS)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
