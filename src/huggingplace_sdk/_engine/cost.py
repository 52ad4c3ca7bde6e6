"""USD cost of one LLM call from the usage the provider reported: the user's prices, then genai-prices.

The genai-prices table ships in its wheel; loading it costs 30-550 ms of CPU (bytecode, pydantic), so calls
are first looked up in ``price_index`` (that table, compacted, read in a few ms): a flat per-token price is
applied here and an unknown model is unpriced without loading the table. Only "complex" models (tiered,
dated, priced apart by service tier) load genai-prices, on their first call (never at
``import huggingplace_sdk``). Nothing is refreshed over the network here: a user who wants fresh prices
starts ``genai_prices.UpdatePrices`` themselves, and from then on every call asks genai-prices (the index no
longer speaks for its table).

Token counts follow the conventions: input tokens include the cache reads and writes, output tokens include
the reasoning tokens. A part (cache read, cache write, reasoning) is priced on its own only where the table
gives it its own price; otherwise it stays in input or output at their price.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from time import monotonic
from typing import Any, NamedTuple

from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc
from . import price_index

_logger = logging.getLogger("huggingplace_sdk.engine")

_MILLION = Decimal(1_000_000)
_PRICE_KEYS = frozenset(sc.COST_PARTS)
# gen_ai.provider.name -> the price table's provider id. Others are matched by model name alone.
_PROVIDER_IDS: dict[str, str] = {
    "openai": "openai", "anthropic": "anthropic", "mistral_ai": "mistral", "azure.ai.openai": "azure",
    "azure.ai.inference": "azure", "aws.bedrock": "aws", "gcp.gemini": "google", "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google", "groq": "groq", "cohere": "cohere", "deepseek": "deepseek",
    "perplexity": "perplexity", "x_ai": "x-ai",
}
# Where a provider's table lacks a model, the table it resells (Azure deployments report OpenAI models).
_FALLBACK_PROVIDER: dict[str, str] = {"azure": "openai"}
_MAX_CACHED = 1024

PriceMapping = Mapping[str, Any]
PriceCallable = Callable[[str, str], PriceMapping | None]
PricesArg = Mapping[str, PriceMapping] | PriceCallable | None


class UnitPrices(NamedTuple):  # not a dataclass: that costs about 1 ms at import
    """USD per million tokens; None where the table gives the part no price of its own."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    reasoning: Decimal | None = None


class Cost:
    """What one call cost, or why it has no cost (built once per call: a plain slotted class is cheapest)."""

    __slots__ = ("parts", "price_model", "price_provider", "price_source", "status", "total", "unpriced_reason")

    def __init__(self, status: str, total: Decimal | None = None, parts: Mapping[str, Decimal] | None = None,
                 price_source: str | None = None, price_provider: str | None = None, price_model: str | None = None,
                 unpriced_reason: str | None = None) -> None:
        self.status = status
        self.total = total
        self.parts = parts
        self.price_source = price_source
        self.price_provider = price_provider
        self.price_model = price_model
        self.unpriced_reason = unpriced_reason

    def __repr__(self) -> str:
        return (f"Cost({self.status}, total={self.total}, parts={self.parts}, source={self.price_source}, "
                f"model={self.price_model}, unpriced_reason={self.unpriced_reason})")

    def attributes(self) -> dict[str, AttributeValue]:
        attrs: dict[str, AttributeValue] = {sc.HP_COST_STATUS: self.status}
        if self.total is not None:
            attrs[sc.HP_COST_AMOUNT] = float(self.total)
            attrs[sc.HP_COST_CURRENCY] = sc.COST_CURRENCY_USD
            attrs[sc.HP_COST_SOURCE] = sc.COST_SOURCE_LOCAL
        for part, amount in (self.parts or {}).items():
            attrs[sc.HP_COST_PART_PREFIX + part] = float(amount)
        if self.price_source is not None:
            attrs[sc.HP_COST_PRICE_SOURCE] = self.price_source
        if self.price_provider is not None:
            attrs[sc.HP_COST_PRICE_PROVIDER] = self.price_provider
        if self.price_model is not None:
            attrs[sc.HP_COST_PRICE_MODEL] = self.price_model
        if self.unpriced_reason is not None:
            attrs[sc.HP_COST_UNPRICED_REASON] = self.unpriced_reason
        return attrs


NOT_BILLED = Cost(sc.COST_NOT_BILLED, total=Decimal(0))


_UNPRICED = {reason: Cost(sc.COST_UNPRICED, unpriced_reason=reason) for reason in (
    sc.UNPRICED_USAGE_ABSENT, sc.UNPRICED_NO_MODEL, sc.UNPRICED_UNKNOWN_MODEL, sc.UNPRICED_INVALID_USAGE,
    sc.UNPRICED_PRICE_ERROR)}


def unpriced(reason: str) -> Cost:
    """The shared (never mutated) Cost of an unpriced call."""
    return _UNPRICED[reason]


def parse_unit_prices(value: Any, where: str) -> UnitPrices:
    """A user's price entry: ``{"input": 3, "output": 15, "cache_read": .3, ...}`` in USD per million tokens."""
    if isinstance(value, UnitPrices):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{where}: prices must be a mapping of USD per million tokens, not {type(value).__name__}")
    unknown = set(value) - _PRICE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown price keys {sorted(unknown)}; expected some of {list(sc.COST_PARTS)}")
    if "input" not in value or "output" not in value:
        raise ValueError(f"{where}: prices need at least 'input' and 'output' (USD per million tokens)")
    return UnitPrices(**{key: _price(value[key], f"{where}.{key}") for key in value})  # type: ignore[arg-type]


def _price(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise TypeError(f"{where}: a price must be a number, not {type(value).__name__}")
    try:
        price = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{where}: not a number: {value!r}") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"{where}: a price must be a finite number >= 0, not {value!r}")
    return price


def split_cost(prices: UnitPrices, usage: Mapping[str, int]) -> dict[str, Decimal] | None:
    """The cost of each part in USD; None when the counts do not add up (a part larger than its whole)."""
    input_tokens = usage.get(sc.GEN_AI_USAGE_INPUT_TOKENS, 0)
    output_tokens = usage.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS, 0)
    parts: dict[str, Decimal] = {}
    for part, price, count in (
        ("cache_read", prices.cache_read, usage.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 0)),
        ("cache_write", prices.cache_write, usage.get(sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, 0)),
    ):
        if price is not None and count:
            parts[part] = price * count / _MILLION
            input_tokens -= count
    reasoning = usage.get(sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, 0)
    if prices.reasoning is not None and reasoning:
        parts["reasoning"] = prices.reasoning * reasoning / _MILLION
        output_tokens -= reasoning
    if input_tokens < 0 or output_tokens < 0:
        return None
    parts["input"] = prices.input * input_tokens / _MILLION
    parts["output"] = prices.output * output_tokens / _MILLION
    return parts


class Pricer:
    """Prices calls: the user's table (a mapping by model, or a callable(provider, model)), then genai-prices."""

    __slots__ = ("_callable", "_table")

    def __init__(self, prices: PricesArg = None) -> None:
        self._table: dict[str, UnitPrices] = {}
        self._callable: PriceCallable | None = None
        if prices is None:
            return
        if callable(prices):
            self._callable = prices
        elif isinstance(prices, Mapping):
            for model, entry in prices.items():
                if not isinstance(model, str) or not model:
                    raise TypeError(f"prices: keys must be model names, not {model!r}")
                self._table[model] = parse_unit_prices(entry, f"prices[{model!r}]")
        else:
            raise TypeError("prices must be a mapping {model: {'input': ..., 'output': ...}} "
                            f"or a callable(provider, model), not {type(prices).__name__}")

    def price(self, provider: str, models: tuple[str | None, ...], usage: Mapping[str, int],
              service_tier: str | None = None) -> Cost:
        """``models``: the response model, then the request model; the first one with a price wins.
        ``service_tier``: the tier the provider reports having served (priced apart by some tables)."""
        names = [m for i, m in enumerate(models) if m and m not in models[:i]]
        # Gemini may report its resource name ("models/gemini-2.5-flash"); the table knows the bare name.
        names += [m[7:] for m in names if m.startswith("models/") and m[7:] not in names]
        if not names:
            return unpriced(sc.UNPRICED_NO_MODEL)
        for model in names:
            user = self._user_prices(provider, model)
            if isinstance(user, Cost):
                return user
            if user is not None:
                parts = split_cost(user, usage)
                if parts is None:
                    return unpriced(sc.UNPRICED_INVALID_USAGE)
                return Cost(sc.COST_PRICED, total=sum(parts.values(), Decimal(0)), parts=_priced_parts(parts),
                            price_source=sc.COST_PRICE_SOURCE_USER, price_model=model)
        cost = _UNPRICED[sc.UNPRICED_UNKNOWN_MODEL]
        for model in names:
            cost = _table_cost(provider, model, usage, service_tier)
            if cost.unpriced_reason != sc.UNPRICED_UNKNOWN_MODEL:
                break
        return cost

    def _user_prices(self, provider: str, model: str) -> UnitPrices | Cost | None:
        if self._table:
            found = self._table.get(model) or self._table.get(model.lower())
            if found is not None:
                return found
        if self._callable is None:
            return None
        try:
            entry = self._callable(provider, model)
            return None if entry is None else parse_unit_prices(entry, f"prices({provider!r}, {model!r})")
        except Exception as exc:  # the user's code: logged, the call stays unpriced, never raised into the app
            _logger.warning("the prices callable failed for %s %s: %r; the call is left unpriced",
                            provider, model, exc)
            return unpriced(sc.UNPRICED_PRICE_ERROR)


def _priced_parts(parts: dict[str, Decimal]) -> dict[str, Decimal]:
    """Only what the call used: a part of zero tokens is not worth an attribute."""
    return {part: amount for part, amount in parts.items() if amount}


# --- the genai-prices table (loaded on first use) -------------------------------------------------------
_load_lock = threading.Lock()
_table_module: Any = None
_table_source = ""
_unknown: dict[tuple[str | None, str], bool] = {}  # (provider id, model) the table does not know
# (index version, provider id, model) -> the index's model and its flat prices; None: unknown to the table
_index_answers: dict[tuple[str, str | None, str], tuple[price_index.IndexedModel, UnitPrices | None] | None] = {}
# Our parts -> the table's price keys (USD per million tokens).
_TABLE_KEYS = {"input": "input_mtok", "output": "output_mtok", "cache_read": "cache_read_mtok",
               "cache_write": "cache_write_mtok", "reasoning": "output_reasoning_mtok"}


def _genai_prices() -> Any:
    global _table_module, _table_source
    if _table_module is None:
        with _load_lock:
            if _table_module is None:
                import genai_prices
                from genai_prices import data_snapshot

                data_snapshot.get_snapshot()  # the bundled data, once, under the lock
                _table_source = f"genai-prices {genai_prices.__version__}"
                _table_module = genai_prices
    return _table_module


def table_source() -> str:
    """``genai-prices <version>``: the index's stamp when it speaks for the table, else the table's (loaded)."""
    index = price_index.current()
    if index is not None:
        return index.source
    _genai_prices()
    return _table_source


def table_loaded() -> bool:
    return _table_module is not None


class _Resolved(NamedTuple):
    """A table entry resolved for one (provider, model, service tier) until ``expires``."""

    expires: float
    prices: UnitPrices | None  # None: not provably flat per token, so every call asks the table itself
    provider_id: str
    model_id: str


_IN, _OUT = sc.GEN_AI_USAGE_INPUT_TOKENS, sc.GEN_AI_USAGE_OUTPUT_TOKENS
# One probe per coefficient (and the empty call, for a price per request): if the table's own calculation
# agrees with ours on each, ours is the same linear function of the five counts and can replace it.
_PROBES: tuple[dict[str, int], ...] = (
    {}, {_IN: 1_000_000}, {_OUT: 1_000_000},
    {_IN: 2_000_000, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: 1_000_000},
    {_IN: 2_000_000, sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: 1_000_000},
    {_OUT: 2_000_000, sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: 1_000_000},
)
_RESOLVED_TTL_S = 3600.0  # prices with a start date take effect within the hour
_resolved: dict[tuple[str | None, str, str | None], _Resolved] = {}


def _table_cost(provider: str, model: str, usage: Mapping[str, int], service_tier: str | None) -> Cost:
    index = price_index.current()
    provider_id = _PROVIDER_IDS.get(provider)
    fallback = _FALLBACK_PROVIDER.get(provider_id) if provider_id is not None else None
    for candidate in (provider_id,) if fallback is None else (provider_id, fallback):
        if index is not None:
            found = _indexed(index, candidate, model)
            if found is None:
                continue  # the table does not know it either
            indexed, prices = found
            if prices is not None and indexed.flat_for(service_tier):
                return _flat_cost(prices, usage, index.source, indexed.provider_id, indexed.model_id)
            # complex (tiered, dated, priced apart for this tier...): the table itself, loaded now
        module = _genai_prices()
        if (candidate, model) in _unknown:
            continue
        key = (candidate, model, service_tier)
        entry = _resolved.get(key)
        if entry is None or entry.expires < monotonic():
            try:
                entry = _resolve(module, candidate, model, service_tier)
            except LookupError:
                _remember(_unknown, (candidate, model), True)
                continue
            _remember(_resolved, key, entry)
        return _entry_cost(module, entry, model, usage, service_tier)
    return unpriced(sc.UNPRICED_UNKNOWN_MODEL)


def _indexed(index: price_index.PriceIndex, provider_id: str | None,
             model: str) -> tuple[price_index.IndexedModel, UnitPrices | None] | None:
    """The index's answer, cached: it is fixed for the index's lifetime (flat prices have no date)."""
    key = (index.version, provider_id, model)
    try:
        return _index_answers[key]
    except KeyError:
        pass
    indexed = index.find(provider_id, model)
    found = None if indexed is None else (indexed, None if indexed.prices is None else _indexed_prices(indexed.prices))
    _remember(_index_answers, key, found)
    return found


def _indexed_prices(prices: Mapping[str, str]) -> UnitPrices:
    def at(key: str) -> Decimal | None:
        value = prices.get(_TABLE_KEYS[key])
        return None if value is None else Decimal(value)

    return UnitPrices(input=at("input") or Decimal(0), output=at("output") or Decimal(0),
                      cache_read=at("cache_read"), cache_write=at("cache_write"), reasoning=at("reasoning"))


def _flat_cost(prices: UnitPrices, usage: Mapping[str, int], source: str, provider_id: str, model_id: str) -> Cost:
    parts = split_cost(prices, usage)
    if parts is None:
        return unpriced(sc.UNPRICED_INVALID_USAGE)
    return Cost(sc.COST_PRICED, total=sum(parts.values(), Decimal(0)), parts=_priced_parts(parts),
                price_source=source, price_provider=provider_id, price_model=model_id)


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _MAX_CACHED:
        cache.clear()  # unbounded model names must not grow memory
    cache[key] = value


def _calc(module: Any, usage: Mapping[str, int], model: str, provider_id: str | None,
          service_tier: str | None) -> Any:
    return module.calc_price(_table_usage(module, usage), model, provider_id=provider_id,
                             price_context={"service_tier": service_tier} if service_tier else None)


def _resolve(module: Any, provider_id: str | None, model: str, service_tier: str | None) -> _Resolved:
    """Raises LookupError for a model the table does not know."""
    calculations = [_calc(module, probe, model, provider_id, service_tier) for probe in _PROBES]
    first = calculations[0]
    prices = _flat_unit_prices(first.model_price)
    if prices is not None:
        for probe, calculation in zip(_PROBES, calculations, strict=True):
            parts = split_cost(prices, probe)
            if parts is None or sum(parts.values(), Decimal(0)) != calculation.total_price:
                prices = None
                break
    return _Resolved(monotonic() + _RESOLVED_TTL_S, prices, first.provider.id, first.model.id)


def _entry_cost(module: Any, entry: _Resolved, model: str, usage: Mapping[str, int],
                service_tier: str | None) -> Cost:
    if entry.prices is not None:
        return _flat_cost(entry.prices, usage, _table_source, entry.provider_id, entry.model_id)
    try:  # tiered or otherwise not flat per token: the table's own calculation, every call
        calculation = _calc(module, usage, model, entry.provider_id, service_tier)
    except (LookupError, ValueError):  # ValueError: counts the table cannot split
        return unpriced(sc.UNPRICED_INVALID_USAGE)
    total = calculation.total_price
    parts = split_cost(_unit_prices(calculation.model_price, usage), usage)
    # Parts only when they explain the whole total (a price per request or per modality does not split).
    keep = parts is not None and math.isclose(sum(parts.values(), Decimal(0)), total, rel_tol=1e-9, abs_tol=1e-15)
    return Cost(sc.COST_PRICED, total=total, parts=_priced_parts(parts) if keep and parts else None,
                price_source=_table_source, price_provider=entry.provider_id, price_model=entry.model_id)


def _flat_unit_prices(model_price: Any) -> UnitPrices | None:
    """The five per-token prices when none is tiered; None otherwise."""
    values = {key: getattr(model_price, key, None) for key in _TABLE_KEYS.values()}
    if not all(value is None or isinstance(value, Decimal) for value in values.values()):
        return None
    return UnitPrices(input=values["input_mtok"] or Decimal(0), output=values["output_mtok"] or Decimal(0),
                      cache_read=values["cache_read_mtok"], cache_write=values["cache_write_mtok"],
                      reasoning=values["output_reasoning_mtok"])


def _table_usage(module: Any, usage: Mapping[str, int]) -> Any:
    return module.Usage(
        input_tokens=usage.get(sc.GEN_AI_USAGE_INPUT_TOKENS),
        output_tokens=usage.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS),
        cache_read_tokens=usage.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        cache_write_tokens=usage.get(sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
        output_reasoning_tokens=usage.get(sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
    )


def _unit_prices(model_price: Any, usage: Mapping[str, int]) -> UnitPrices:
    input_tokens = usage.get(sc.GEN_AI_USAGE_INPUT_TOKENS, 0)

    def at(key: str) -> Decimal | None:
        value = getattr(model_price, key, None)
        if value is None or isinstance(value, Decimal):
            return value
        # Tiered: the tier is chosen by the call's total input tokens, as the table's own calculation does.
        price: Decimal = value.base
        for tier in reversed(value.tiers):
            if input_tokens > tier.start:
                price = tier.price
                break
        return price

    return UnitPrices(input=at("input_mtok") or Decimal(0), output=at("output_mtok") or Decimal(0),
                      cache_read=at(_TABLE_KEYS["cache_read"]), cache_write=at(_TABLE_KEYS["cache_write"]),
                      reasoning=at(_TABLE_KEYS["reasoning"]))
