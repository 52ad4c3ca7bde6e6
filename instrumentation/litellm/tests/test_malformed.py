"""Malformed variants of the recorded litellm traffic (routed to OpenAI and to Anthropic: JSON bodies and SSE
streams), made by the shared mutation kit and replayed through real litellm without and with instrumentation:
the caller sees no difference, every span ends once, what is recorded is well-typed."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import litellm.types.utils
import pytest
from huggingplace_instrumentation_litellm import LiteLLMInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    MUTATION_CASES_ENV,
    MUTATION_KINDS,
    WRONG_TYPE,
    Interaction,
    Mutation,
    MutationCase,
    MutationSubject,
    ReplayServer,
    SpanCapture,
    all_mutation_cases,
    check_mutation,
    load_cassette,
    mutation_cases,
    recorded_json,
)

from .test_replay import CASSETTES, call_litellm


class _FixedClock:
    """The ``time`` module with a fixed ``time()``: the ``created`` stamp LiteLLM puts on what it builds."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def time() -> float:
        return 1_700_000_000.0


@contextmanager
def _reproducible_litellm() -> Iterator[None]:
    """LiteLLM makes up ids (uuid4) and ``created`` stamps, in results and in its exceptions' text: fixed here,
    both runs of one case give the caller equal objects, so any difference left is ours."""
    counter = itertools.count(1)
    backend = getattr(getattr(litellm, "_uuid", None), "uuid", uuid)  # fastuuid on newer releases
    # Anthropic's response transformation stamps ``created`` itself (module ``time`` imported there too).
    from litellm.llms.anthropic.chat import transformation as anthropic_transformation

    with mock.patch.object(backend, "uuid4", lambda: uuid.UUID(int=next(counter))), \
            mock.patch.object(litellm.types.utils, "time", _FixedClock()), \
            mock.patch.object(anthropic_transformation, "time", _FixedClock()):
        yield


def _call(base_url: str, cassette: Path, interaction: Interaction) -> Any:
    if "async" in cassette.name:
        return _call_async(base_url, interaction)
    with _reproducible_litellm():
        return call_litellm_sync(interaction, base_url)


async def _call_async(base_url: str, interaction: Interaction) -> Any:
    with _reproducible_litellm():
        return await call_litellm(interaction, base_url, use_async=True)


def call_litellm_sync(interaction: Interaction, base_url: str) -> Any:
    """The sync call (``call_litellm`` does no awaiting when ``use_async`` is false)."""
    coroutine = call_litellm(interaction, base_url, use_async=False)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the sync call awaited")


# The clients' own pydantic serializers warn about mutated values (in both runs alike).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

SUBJECT = MutationSubject("litellm", CASSETTES, _call, LiteLLMInstrumentor,
                          accepts=lambda _, interaction: interaction.response.status < 400)
PER_KIND = 20  # about 20-40 s per adapter on an idle machine
CASES = mutation_cases(SUBJECT, per_kind=PER_KIND)


def test_the_sample_covers_every_mutation_kind_and_both_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MUTATION_CASES_ENV, raising=False)  # the default spread, whatever the run's size
    sample = mutation_cases(SUBJECT, per_kind=PER_KIND)
    assert {case.mutation.kind for case in sample} == set(MUTATION_KINDS)
    assert len(all_mutation_cases(SUBJECT)) > len(sample) >= len(MUTATION_KINDS)
    assert any("anthropic" in case.cassette.name for case in sample)
    assert any("openai" in case.cassette.name for case in sample)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_response(case: MutationCase) -> None:
    check_mutation(SUBJECT, case)


def test_a_responses_message_whose_content_is_not_a_list_keeps_the_rest(span_capture: SpanCapture) -> None:
    """Found by the kit: ``output[i].content`` of another type made the codec raise (internal error)."""
    cassette = next(path for path in CASSETTES if path.name == "test_responses__test_responses_websearch_input.yaml")
    recorded = load_cassette(cassette)[0]
    response = recorded_json(recorded)
    message = next(i for i, item in enumerate(response["output"]) if item["type"] == "message")
    broken = Mutation(WRONG_TYPE, 0, path=("output", message, "content"), value=1).apply(recorded)
    span_capture.instrument(LiteLLMInstrumentor(), capture_content=True)
    with ReplayServer(cassette, interactions=[broken]) as server, _reproducible_litellm():
        result = call_litellm_sync(recorded, server.base_url)[0]
    item = result.output[message]  # the caller's item, as litellm built it (a dict when it did not validate)
    assert (item["content"] if isinstance(item, dict) else item.content) == 1
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == response["model"]
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == response["usage"]["input_tokens"]
    assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == response["usage"]["output_tokens"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == ["stop"]
