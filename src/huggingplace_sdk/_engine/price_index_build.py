"""Writes ``price_index.json`` from the installed genai-prices table (run after every genai-prices bump).

    uv run python -m huggingplace_sdk._engine.price_index_build [--check]

A model's price goes into the index only when our per-call arithmetic (``cost.split_cost``) provably equals
the table's own calculation for it at any date: a single unconditional price, none of our five per-token
prices tiered, and the table agreeing with us on one probe per coefficient (the same probes ``cost`` uses
when it resolves a model at run time, so prices for units our usage never carries, such as web searches,
do not matter, exactly as at run time). Service tiers that a price variant prices apart are listed: those
calls go to the table. Every other model is "complex". ``--check`` exits non-zero when the shipped file
differs from what this would write.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

from .cost import _PROBES, _TABLE_KEYS, _flat_unit_prices, _table_usage, split_cost
from .price_index import COMPLEX, INDEX_PATH, REBUILD_COMMAND, TIERS_PRICED_APART

_CLAUSE_FIELDS = {"ClauseEquals": ("equals", "equals"), "ClauseStartsWith": ("starts_with", "starts_with"),
                  "ClauseEndsWith": ("ends_with", "ends_with"), "ClauseContains": ("contains", "contains"),
                  "ClauseRegex": ("regex", "regex"), "ClauseOr": ("or", "or_"), "ClauseAnd": ("and", "and_")}


def _clause(logic: Any) -> dict[str, Any] | None:
    if logic is None:
        return None
    kind = type(logic).__name__
    if kind not in _CLAUSE_FIELDS:  # a new kind of clause in genai-prices: the lookup must learn it first
        raise ValueError(f"genai-prices match clause {kind} is not supported by the price index")
    key, attribute = _CLAUSE_FIELDS[kind]
    value = getattr(logic, attribute)
    return {key: [_clause(part) for part in value] if isinstance(value, list) else value}


def _flat_prices(genai_prices: Any, provider: Any, model: Any) -> dict[str, str] | None:
    """The model's five per-token prices when they price every call exactly as the table does; else None."""
    if not isinstance(model.prices, genai_prices.types.ModelPrice):  # conditional on date or time of day
        return None
    prices = _flat_unit_prices(model.prices)
    if prices is None:
        return None
    for probe in _PROBES:
        try:
            total = model.calc_price(_table_usage(genai_prices, probe), provider).total_price
        except (ArithmeticError, LookupError, ValueError):
            return None
        parts = split_cost(prices, probe)
        if parts is None or sum(parts.values(), Decimal(0)) != total:
            return None
    values = {key: getattr(model.prices, key, None) for key in _TABLE_KEYS.values()}
    return {key: str(value) for key, value in values.items() if value is not None}


def _tiers_priced_apart(model: Any) -> list[str]:
    """Service tiers some price variant of the model overrides a price for (the table prices those calls)."""
    return sorted({variant.when["service_tier"] for variant in model.price_variants or ()
                   if "service_tier" in variant.when and any(v is not None for v in vars(variant.prices).values())})


def _model(genai_prices: Any, provider: Any, model: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": model.id, "match": _clause(model.match)}
    prices = _flat_prices(genai_prices, provider, model)
    entry["prices"] = COMPLEX if prices is None else prices
    tiers = _tiers_priced_apart(model) if prices is not None else []
    if tiers:
        entry[TIERS_PRICED_APART] = tiers
    return entry


def build() -> dict[str, Any]:
    """The index of the installed genai-prices' bundled table, as a JSON-ready document."""
    import genai_prices
    from genai_prices.data import providers

    return {
        "genai_prices_version": genai_prices.__version__,
        "rebuild": REBUILD_COMMAND,
        "providers": [{
            "id": provider.id,
            "provider_match": _clause(provider.provider_match),
            "model_match": _clause(provider.model_match),
            "fallback_model_providers": provider.fallback_model_providers,
            "models": [_model(genai_prices, provider, model) for model in provider.models],
        } for provider in providers],
    }


def render(document: dict[str, Any]) -> str:
    """One line per provider header and per model, so a table update reads as a small diff."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{", f'"genai_prices_version":{dump(document["genai_prices_version"])},',
             f'"rebuild":{dump(document["rebuild"])},', '"providers":[']
    providers = document["providers"]
    for i, provider in enumerate(providers):
        header = dump({key: value for key, value in provider.items() if key != "models"})
        lines.append(header[:-1] + ',"models":[')
        models = provider["models"]
        lines.extend(dump(model) + ("," if j < len(models) - 1 else "") for j, model in enumerate(models))
        lines.append("]}" + ("," if i < len(providers) - 1 else ""))
    lines += ["]", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render(build())
    if "--check" in argv:
        if INDEX_PATH.read_text(encoding="utf-8") != text:
            print(f"{INDEX_PATH} is stale for the installed genai-prices; run: {REBUILD_COMMAND}", file=sys.stderr)
            return 1
        return 0
    INDEX_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX_PATH} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
