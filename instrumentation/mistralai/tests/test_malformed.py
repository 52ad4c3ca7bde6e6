"""Malformed variants of the recorded Mistral responses (the shared mutation kit), replayed through the real
client without and with instrumentation: the caller sees no difference, every span ends once, what is
recorded is well-typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingplace_instrumentation_mistralai import MistralAIInstrumentor
from mistralai.client import Mistral

from huggingplace_sdk.testing import (
    MUTATION_KINDS,
    Interaction,
    MutationCase,
    MutationSubject,
    all_mutation_cases,
    check_mutation,
    mutation_cases,
)

from .test_replay import API_KEY, CASSETTES
from .test_replay import _call as replay_call


def _http_library() -> Any:
    """The HTTP library of this mistralai release (httpx2 in recent ones)."""
    try:
        from mistralai.client import httpclient
    except ImportError:
        return httpx2
    return getattr(httpclient, "httpx", httpx2)


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    # Plain-HTTP loopback: no TLS context (loading the CA bundle costs more than the call itself).
    http = _http_library()
    client = Mistral(api_key=API_KEY, server_url=base_url, client=http.Client(verify=False),
                     async_client=http.AsyncClient(verify=False))
    return replay_call(client, interaction, "async" in cassette.name)


# The client's own pydantic serializer warns about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("mistralai", CASSETTES, _call, MistralAIInstrumentor,
                          accepts=lambda _, interaction: interaction.response.status < 400)
CASES = mutation_cases(SUBJECT, per_kind=20)


def test_the_sample_covers_every_mutation_kind() -> None:
    assert {case.mutation.kind for case in CASES} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(CASES) >= len(MUTATION_KINDS)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)
