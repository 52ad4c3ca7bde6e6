"""Malformed variants of the recorded Anthropic responses (the shared mutation kit), replayed through the real
client without and with instrumentation: the caller sees no difference, every span ends once, what is
recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anthropic
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor

from huggingplace_sdk.testing import (
    MUTATION_KINDS,
    Interaction,
    MutationCase,
    MutationSubject,
    all_mutation_cases,
    check_mutation,
    mutation_cases,
    recorded_request_json,
)

from .test_replay import API_KEY, CASSETTES, HAS_LEGACY_COMPLETIONS, _replay_async, _replay_sync

# Plain-HTTP loopback: no TLS context (loading the CA bundle costs more than the call itself).
_CLIENT_OPTIONS: dict[str, Any] = {"api_key": API_KEY, "max_retries": 0}


def _body(interaction: Interaction) -> dict[str, Any]:
    body = dict(recorded_request_json(interaction))
    if interaction.request.query:  # e.g. ?beta=true, which newer releases no longer send
        body["extra_query"] = dict(interaction.request.query)
    return body


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    if "async" in cassette.name:
        return _call_async(base_url, cassette, interaction)
    http_client = anthropic.DefaultHttpxClient(verify=False)
    with anthropic.Anthropic(base_url=base_url, http_client=http_client, **_CLIENT_OPTIONS) as client:
        return _replay_sync(cassette.name, client, _body(interaction))


async def _call_async(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    http_client = anthropic.DefaultAsyncHttpxClient(verify=False)
    async with anthropic.AsyncAnthropic(base_url=base_url, http_client=http_client, **_CLIENT_OPTIONS) as client:
        return await _replay_async(cassette.name, client, _body(interaction))


def _replayable(cassette: Path, interaction: Interaction) -> bool:
    return interaction.response.status < 400 and (HAS_LEGACY_COMPLETIONS or "test_completion" not in cassette.name)


# The client's own pydantic serializer warns about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("anthropic", CASSETTES, _call, AnthropicInstrumentor, accepts=_replayable)
CASES = mutation_cases(SUBJECT, per_kind=30)


def test_the_sample_covers_every_mutation_kind() -> None:
    assert {case.mutation.kind for case in CASES} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(CASES) >= len(MUTATION_KINDS)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
