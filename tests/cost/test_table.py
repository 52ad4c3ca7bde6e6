"""Our per-call arithmetic against genai-prices' own calculation, for flat and tiered table entries."""

from __future__ import annotations

import random
from decimal import Decimal

import genai_prices
import pytest
from _calls import random_usage

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.cost import Pricer

# Flat per-token entries (answered by our cached arithmetic) and tiered ones (by the table on every call).
MODELS = [
    ("openai", "openai", "gpt-4o-mini-2024-07-18"), ("openai", "openai", "o3-mini"),
    ("anthropic", "anthropic", "claude-3-5-sonnet-20240620"), ("anthropic", "anthropic", "claude-3-haiku-20240307"),
    ("mistral_ai", "mistral", "mistral-tiny"), ("gcp.gemini", "google", "gemini-2.5-pro"),
    ("gcp.gemini", "google", "gemini-2.0-flash"),
]


@pytest.mark.parametrize(("provider", "provider_id", "model"), MODELS)
def test_every_call_costs_what_the_table_itself_computes(provider: str, provider_id: str, model: str) -> None:
    rng = random.Random(model)
    pricer = Pricer()
    for _ in range(25):
        usage = random_usage(rng, 400_000, 20_000)
        reference = genai_prices.calc_price(genai_prices.Usage(
            input_tokens=usage[sc.GEN_AI_USAGE_INPUT_TOKENS], output_tokens=usage[sc.GEN_AI_USAGE_OUTPUT_TOKENS],
            cache_read_tokens=usage[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
            cache_write_tokens=usage[sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS],
            output_reasoning_tokens=usage[sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]), model, provider_id=provider_id)
        cost = pricer.price(provider, (model,), usage)
        assert cost.status == sc.COST_PRICED
        assert cost.total == reference.total_price
        assert cost.price_model == reference.model.id and cost.price_provider == reference.provider.id
        if cost.parts is not None:  # parts, when given, add up to the total exactly
            assert sum(cost.parts.values(), Decimal(0)) == cost.total


def test_tiered_prices_pick_the_tier_by_the_calls_input_tokens() -> None:
    pricer = Pricer()
    small = pricer.price("gcp.gemini", ("gemini-2.5-pro",), {sc.GEN_AI_USAGE_INPUT_TOKENS: 1_000})
    large = pricer.price("gcp.gemini", ("gemini-2.5-pro",), {sc.GEN_AI_USAGE_INPUT_TOKENS: 300_000})
    assert small.total is not None and large.total is not None
    assert large.total / 300 > small.total  # above the 200k tier, each input token costs more


def test_a_gemini_resource_name_is_priced_as_its_model() -> None:
    usage = {sc.GEN_AI_USAGE_INPUT_TOKENS: 1_000, sc.GEN_AI_USAGE_OUTPUT_TOKENS: 100}
    by_resource = Pricer().price("gcp.gemini", ("models/gemini-2.5-flash",), usage)
    by_name = Pricer().price("gcp.gemini", ("gemini-2.5-flash",), usage)
    assert by_resource.status == sc.COST_PRICED and by_resource.total == by_name.total
    assert by_resource.price_model == "gemini-2.5-flash"
