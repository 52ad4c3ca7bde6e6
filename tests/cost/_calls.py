"""Recorded calls replayed through the real vendor clients, and the genai-prices entries the tests rely on.

Prices are written out by hand (USD per million tokens, as published in the genai-prices table) and
``assert_table`` checks that the table still says so: when the table changes, the failure names the entry.
"""

from __future__ import annotations

import inspect
import random
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anthropic
import openai

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import Interaction, recorded_request_json

MILLION = Decimal(1_000_000)


def usd(tokens: int, price_per_million: str) -> Decimal:
    return Decimal(tokens) * Decimal(price_per_million) / MILLION


def assert_table(provider_id: str, model: str, expected: dict[str, str], service_tier: str | None = None) -> None:
    """The genai-prices entry for ``model`` has exactly these per-million prices (input_mtok, ...)."""
    from genai_prices import data_snapshot

    _, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider_id, None)
    prices = info.get_prices(datetime.now(timezone.utc), {"service_tier": service_tier} if service_tier else None)
    for key, value in expected.items():
        assert getattr(prices, key) == Decimal(value), f"genai-prices {model} {key}: {getattr(prices, key)}"


def openai_client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test-secret-key", base_url=f"{base_url}/v1", max_retries=0)


def async_openai_client(base_url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key="sk-test-secret-key", base_url=f"{base_url}/v1", max_retries=0)


def anthropic_client(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-test-key", base_url=base_url, max_retries=0)


def _kwargs(method: Any, body: dict[str, Any]) -> dict[str, Any]:
    parameters = inspect.signature(method).parameters
    kwargs = {k: v for k, v in body.items() if k in parameters}
    extra = {k: v for k, v in body.items() if k not in parameters}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def call_openai(client: openai.OpenAI, interaction: Interaction) -> Any:
    """Make the recorded request; a stream is drained."""
    body = dict(recorded_request_json(interaction) or {})
    if interaction.request.path.endswith("/chat/completions"):
        result = client.chat.completions.create(**_kwargs(client.chat.completions.create, body))
    else:
        result = client.completions.create(**_kwargs(client.completions.create, body))
    if isinstance(result, openai.Stream):
        for _ in result:
            pass
    return result


async def call_openai_async(client: openai.AsyncOpenAI, interaction: Interaction) -> Any:
    body = dict(recorded_request_json(interaction) or {})
    return await client.chat.completions.create(**_kwargs(client.chat.completions.create, body))


def call_anthropic(client: anthropic.Anthropic, interaction: Interaction) -> Any:
    """Make the recorded request; a stream is drained."""
    body = dict(recorded_request_json(interaction) or {})
    result = client.messages.create(**_kwargs(client.messages.create, body))
    if isinstance(result, anthropic.Stream):
        for _ in result:
            pass
    return result


def random_usage(rng: random.Random, max_input: int, max_output: int) -> dict[str, int]:
    """Token counts that add up as providers report them: cache reads and writes within the input tokens,
    reasoning within the output tokens."""
    input_tokens = rng.randrange(0, max_input)
    cache_read = rng.randrange(0, input_tokens + 1) // 2
    cache_write = rng.randrange(0, input_tokens - cache_read + 1) // 2
    output_tokens = rng.randrange(0, max_output)
    return {sc.GEN_AI_USAGE_INPUT_TOKENS: input_tokens, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: cache_read,
            sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: cache_write, sc.GEN_AI_USAGE_OUTPUT_TOKENS: output_tokens,
            sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: rng.randrange(0, output_tokens + 1)}
