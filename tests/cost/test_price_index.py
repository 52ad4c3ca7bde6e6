"""The shipped price index answers exactly what genai-prices answers, and steps aside when it cannot speak for it.

Expected values come from genai-prices itself (its lookup and its ``calc_price``) and from the model names in
the recorded traffic, never from the index.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import genai_prices
import pytest
from _calls import random_usage
from genai_prices import data_snapshot, types
from genai_prices.data import providers as table_providers

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine import cost, price_index, price_index_build
from huggingplace_sdk._engine.cost import _PROVIDER_IDS, Pricer, split_cost
from huggingplace_sdk.testing import CASSETTES_DIR, decoded_body, load_cassette

PROVIDER_IDS: list[str | None] = [*sorted(set(_PROVIDER_IDS.values())), None, "litellm"]
SUFFIXES = ("-2024-07-18", "-20251211", "-20240231", ":beta", "/x")
UNKNOWN = ("", "gpt", "not-a-model", "my-finetune", "ft:gpt-4o-mini:acme::abc123", "openai/gpt-4o-mini",
           "anthropic/claude-3-5-sonnet-20240620", "litellm/none", "claude", "gemini", "models/", "o1x")


def _literals(logic: Any) -> Iterator[str]:
    for value in vars(logic).values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for part in value:
                yield from _literals(part)


def _recorded_model_names() -> set[str]:
    names: set[str] = set()
    paths = sorted(CASSETTES_DIR.rglob("*.yaml"))
    assert len(paths) > 100, f"the recorded traffic is missing under {CASSETTES_DIR}"
    for path in paths:
        for interaction in load_cassette(path):
            uri = unquote(interaction.request.uri)
            names.update(re.findall(r"/model/([^/]+)/", uri))  # Bedrock
            names.update(re.findall(r"/models/([^/:?]+)", uri))  # Gemini, Vertex AI
            for body in (interaction.request.body, decoded_body(interaction)):
                text = body.decode("utf-8", "replace")
                names.update(re.findall(r'"model(?:Id|_id|Version)?"\s*:\s*"([^"\\]+)"', text))
    return names


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    literals: set[str] = set()
    model_ids: set[str] = set()
    for provider in table_providers:
        for logic in (provider.model_match, provider.provider_match):
            if logic is not None:
                literals.update(_literals(logic))
        for model in provider.models:
            model_ids.add(model.id)
            literals.update(_literals(model.match))
    recorded = _recorded_model_names()
    assert {"gpt-3.5-turbo-0125", "claude-3-5-sonnet-20240620", "mistral-tiny"} <= recorded
    refs = literals | model_ids | recorded | set(UNKNOWN)
    # Suffixed forms of the plain literals (a regex's own text is left as is); upper-cased and resource-name
    # forms of the model ids and the recorded names.
    plain = [name for name in literals | model_ids | recorded if re.fullmatch(r"[\w.:/@ -]+", name)]
    refs.update(name + suffix for name in plain for suffix in SUFFIXES)
    for name in model_ids | recorded:
        refs.update((name.upper(), f"models/{name}"))
    return sorted(refs)


@pytest.fixture(scope="module")
def index() -> price_index.PriceIndex:
    found = price_index.current()
    assert found is not None, f"the shipped price index does not speak for genai-prices {genai_prices.__version__}"
    return found


def _table_answer(ref: str, provider_id: str | None) -> tuple[str, str] | None:
    try:
        provider, model = data_snapshot.get_snapshot().find_provider_model(ref, None, provider_id, None)
    except LookupError:
        return None
    return provider.id, model.id


@pytest.mark.timeout(600)
@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_the_index_finds_the_same_provider_and_model_as_genai_prices(
        index: price_index.PriceIndex, corpus: list[str], provider_id: str | None) -> None:
    mismatches = []
    reached = set()
    for ref in corpus:
        expected = _table_answer(ref, provider_id)
        answer = index.find(provider_id, ref)
        got = None if answer is None else (answer.provider_id, answer.model_id)
        reached.add(got)
        if got != expected:
            mismatches.append((ref, expected, got))
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:10]}"
    # The corpus reaches most of the provider's own models (without a provider: a good part of the table).
    own = {(provider.id, model.id) for provider in table_providers if provider.id == provider_id
           for model in provider.models}
    assert len(own & reached) >= 0.8 * len(own) if own else len(reached) > 300


def _usages(rng: random.Random) -> Iterator[dict[str, int]]:
    yield {}
    yield {sc.GEN_AI_USAGE_INPUT_TOKENS: 1, sc.GEN_AI_USAGE_OUTPUT_TOKENS: 1}
    for _ in range(4):
        yield random_usage(rng, 2_000_000, 100_000)


def _table_total(usage: dict[str, int], ref: str, provider_id: str | None, service_tier: str | None = None) -> Any:
    return genai_prices.calc_price(genai_prices.Usage(
        input_tokens=usage.get(sc.GEN_AI_USAGE_INPUT_TOKENS), output_tokens=usage.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS),
        cache_read_tokens=usage.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        cache_write_tokens=usage.get(sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
        output_reasoning_tokens=usage.get(sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS)), ref, provider_id=provider_id,
        price_context={"service_tier": service_tier} if service_tier else None).total_price


@pytest.mark.timeout(600)
def test_flat_prices_cost_exactly_what_genai_prices_computes(index: price_index.PriceIndex) -> None:
    rng = random.Random(7)
    checked = 0
    for provider_id in PROVIDER_IDS:
        for provider in table_providers:
            for model in provider.models:
                ref = model.id
                answer = index.find(provider_id, ref)
                if answer is None or answer.prices is None or _table_answer(ref, provider_id) is None:
                    continue
                prices = cost._indexed_prices(answer.prices)
                for usage in _usages(rng):
                    parts = split_cost(prices, usage)
                    assert parts is not None
                    for tier in (None, "default", "flex", "priority", "batch"):
                        if not answer.flat_for(tier):
                            continue
                        assert sum(parts.values(), Decimal(0)) == _table_total(usage, ref, provider_id, tier), (
                            provider_id, ref, tier, usage)
                        checked += 1
    assert checked > 10_000


def _fields(priced: cost.Cost) -> tuple[Any, ...]:
    return (priced.status, priced.total, priced.parts, priced.price_source, priced.price_provider,
            priced.price_model, priced.unpriced_reason)


@pytest.mark.timeout(600)
def test_every_call_costs_what_it_cost_before_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Totals, parts, provider, model and source, through the index and through genai-prices alone."""
    rng = random.Random(11)
    recorded = sorted(_recorded_model_names())
    by_index, by_table = [], []
    for provider, provider_id in sorted(_PROVIDER_IDS.items()):
        names = [model.id for p in table_providers if p.id == provider_id for model in p.models] + recorded
        calls = [(name, usage, tier) for name in names for usage, tier in zip(
            list(_usages(rng))[2:5], (None, "default", "priority"), strict=True)]
        by_index += [_fields(cost._table_cost(provider, *call)) for call in calls]
        with monkeypatch.context() as table_only:
            table_only.setattr(price_index, "current", lambda: None)
            by_table += [_fields(cost._table_cost(provider, *call)) for call in calls]
    differ = [(a, b) for a, b in zip(by_index, by_table, strict=True) if a != b]
    assert not differ, f"{len(differ)} of {len(by_index)} differ, e.g. {differ[:3]}"
    assert sum(fields[0] == sc.COST_PRICED for fields in by_index) > 500


def test_only_flat_unconditional_per_token_prices_are_in_the_index(index: price_index.PriceIndex) -> None:
    document = json.loads(price_index.INDEX_PATH.read_text(encoding="utf-8"))
    complex_ids = set()
    for provider, entry in zip(table_providers, document["providers"], strict=True):
        for model, model_entry in zip(provider.models, entry["models"], strict=True):
            if model_entry["prices"] == price_index.COMPLEX:
                complex_ids.add((provider.id, model.id))
                continue
            assert isinstance(model.prices, types.ModelPrice), (provider.id, model.id)
            assert set(model_entry["prices"]) <= {"input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok",
                                                  "output_reasoning_mtok"}
            for key, value in model_entry["prices"].items():
                assert getattr(model.prices, key) == Decimal(value)
    # Priced by the table itself: tiered (gemini-2.5-pro), by date (deepseek-chat's off-peak hours).
    assert ("google", "gemini-2.5-pro") in complex_ids
    assert any(provider == "deepseek" for provider, _ in complex_ids)


def test_the_shipped_index_is_what_the_build_writes_from_the_installed_genai_prices() -> None:
    expected = price_index_build.render(price_index_build.build())
    shipped = price_index.INDEX_PATH.read_text(encoding="utf-8")
    assert shipped == expected, (f"{price_index.INDEX_PATH.name} is stale for genai-prices "
                                 f"{genai_prices.__version__}: run `{price_index.REBUILD_COMMAND}`")


def test_the_build_check_names_the_rebuild_command_when_the_index_is_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert price_index_build.main(["--check"]) == 0
    stale = tmp_path / "price_index.json"
    stale.write_text(price_index.INDEX_PATH.read_text(encoding="utf-8").replace('"0.15"', '"0.16"', 1))
    monkeypatch.setattr(price_index_build, "INDEX_PATH", stale)
    assert price_index_build.main(["--check"]) == 1
    assert price_index.REBUILD_COMMAND in capsys.readouterr().err


@pytest.fixture
def fresh_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """Empty price caches, and a record of every call genai-prices' ``calc_price`` gets."""
    for name in ("_resolved", "_unknown", "_index_answers"):
        monkeypatch.setattr(cost, name, {})
    calls: list[tuple[Any, ...]] = []
    real_calc_price = genai_prices.calc_price

    def recording_calc_price(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real_calc_price(*args, **kwargs)

    monkeypatch.setattr(genai_prices, "calc_price", recording_calc_price)
    price_index.shipped.cache_clear()
    yield calls
    price_index.shipped.cache_clear()


USAGE = {sc.GEN_AI_USAGE_INPUT_TOKENS: 1_200, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: 200,
         sc.GEN_AI_USAGE_OUTPUT_TOKENS: 300}


def test_a_flat_model_is_priced_from_the_index_without_asking_genai_prices(
        fresh_caches: list[tuple[Any, ...]]) -> None:
    priced = Pricer().price("openai", ("gpt-4o-mini-2024-07-18",), USAGE)
    assert fresh_caches == []
    assert priced.total == _table_total(USAGE, "gpt-4o-mini-2024-07-18", "openai")
    assert (priced.price_provider, priced.price_model) == ("openai", "gpt-4o-mini")
    assert priced.price_source == f"genai-prices {genai_prices.__version__}"


def test_a_tier_priced_apart_goes_to_genai_prices(fresh_caches: list[tuple[Any, ...]]) -> None:
    answer = price_index.current()
    assert answer is not None
    assert "priority" in (answer.find("openai", "gpt-4o-mini") or pytest.fail("gpt-4o-mini unknown")).tiers_priced_apart
    priced = Pricer().price("openai", ("gpt-4o-mini",), USAGE, service_tier="priority")
    assert fresh_caches  # the table's own calculation
    assert priced.total == _table_total(USAGE, "gpt-4o-mini", "openai", "priority")


def test_a_complex_model_goes_to_genai_prices(fresh_caches: list[tuple[Any, ...]]) -> None:
    usage = {sc.GEN_AI_USAGE_INPUT_TOKENS: 300_000, sc.GEN_AI_USAGE_OUTPUT_TOKENS: 1_000}
    priced = Pricer().price("gcp.gemini", ("gemini-2.5-pro",), usage)
    assert fresh_caches
    assert priced.total == _table_total(usage, "gemini-2.5-pro", "google")


def test_a_version_mismatch_routes_every_call_to_genai_prices(
        fresh_caches: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(price_index, "installed_genai_prices_version", lambda: "0.1.13")
    assert price_index.current() is None
    priced = Pricer().price("openai", ("gpt-4o-mini-2024-07-18",), USAGE)
    assert fresh_caches  # asked the table
    assert priced.total == _table_total(USAGE, "gpt-4o-mini-2024-07-18", "openai")
    assert priced.price_source == cost.table_source() == f"genai-prices {genai_prices.__version__}"


def test_a_custom_snapshot_routes_every_call_to_genai_prices(
        fresh_caches: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch) -> None:
    own_model = types.ModelInfo(id="our-negotiated-4o-mini", match=types.ClauseEquals(equals="gpt-4o-mini"),
                                prices=types.ModelPrice(input_mtok=Decimal("0.1"), output_mtok=Decimal("0.2")))
    own_provider = types.Provider(id="openai", name="OpenAI", api_pattern="", models=[own_model])
    monkeypatch.setattr(data_snapshot, "_custom_snapshot",
                        data_snapshot.DataSnapshot(providers=[own_provider], from_auto_update=False))
    assert price_index.current() is None
    usage = {sc.GEN_AI_USAGE_INPUT_TOKENS: 1_000_000, sc.GEN_AI_USAGE_OUTPUT_TOKENS: 1_000_000}
    priced = Pricer().price("openai", ("gpt-4o-mini",), usage)
    assert (priced.price_model, priced.total) == ("our-negotiated-4o-mini", Decimal("0.3"))
    assert Pricer().price("anthropic", ("claude-3-haiku-20240307",), usage).unpriced_reason == \
        sc.UNPRICED_UNKNOWN_MODEL  # the user's table knows no Anthropic model: nothing comes from the index


_FRESH_PROCESS = """
import json, sys
from huggingplace_sdk._engine.cost import Pricer
before = sorted(m for m in ("genai_prices", "pydantic") if m in sys.modules)
cost = Pricer().price({provider!r}, ({model!r},), {usage!r})
print(json.dumps({{"before": before, "after": sorted(m for m in ("genai_prices", "pydantic") if m in sys.modules),
                  "total": None if cost.total is None else str(cost.total), "model": cost.price_model,
                  "unpriced": cost.unpriced_reason}}))
"""


def _price_in_fresh_process(provider: str, model: str) -> dict[str, Any]:
    code = _FRESH_PROCESS.format(provider=provider, model=model, usage=USAGE)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    answer: dict[str, Any] = json.loads(result.stdout)
    assert answer["before"] == [], "huggingplace_sdk itself loaded genai_prices or pydantic"
    return answer


def test_pricing_a_flat_model_in_a_fresh_process_loads_neither_genai_prices_nor_pydantic() -> None:
    answer = _price_in_fresh_process("openai", "gpt-4o-mini-2024-07-18")
    assert answer["after"] == []
    assert Decimal(answer["total"]) == _table_total(USAGE, "gpt-4o-mini-2024-07-18", "openai")
    assert answer["model"] == "gpt-4o-mini"


def test_an_unknown_model_in_a_fresh_process_is_unpriced_without_loading_genai_prices() -> None:
    answer = _price_in_fresh_process("openai", "our-own-finetune")
    assert _table_answer("our-own-finetune", "openai") is None
    assert (answer["after"], answer["unpriced"]) == ([], sc.UNPRICED_UNKNOWN_MODEL)


def test_a_complex_model_in_a_fresh_process_loads_genai_prices() -> None:
    answer = _price_in_fresh_process("gcp.gemini", "gemini-2.5-pro")
    assert "genai_prices" in answer["after"]
    assert Decimal(answer["total"]) == _table_total(USAGE, "gemini-2.5-pro", "google")


def test_models_are_parsed_per_provider_on_first_use_and_the_document_is_the_file_s_json() -> None:
    text = price_index.INDEX_PATH.read_text(encoding="utf-8")
    document = price_index.read_document(text)
    assert all(isinstance(provider["models"], str) for provider in document["providers"])  # nothing parsed yet
    found = price_index.PriceIndex(document).find("openai", "gpt-4o-mini-2024-07-18")
    assert found is not None and found.model_id == "gpt-4o-mini"
    parsed = {provider["id"] for provider in document["providers"] if not isinstance(provider["models"], str)}
    assert parsed == {"openai"}
    for provider in document["providers"]:
        price_index._models(provider)
    assert document == json.loads(text)
    # A file laid out otherwise (hand-edited, or written by another tool) is parsed whole.
    assert price_index.read_document(json.dumps(json.loads(text))) == json.loads(text)
