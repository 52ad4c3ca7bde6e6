"""The genai-prices table as a compact index, so the first priced call does not execute its 1.6 MB data module.

``price_index.json`` (beside this file) is built from the installed genai-prices table by
``python -m huggingplace_sdk._engine.price_index_build``. It keeps every provider's and model's match clauses
and, for the models whose price is one flat per-token price, that price (with the service tiers a price
variant prices apart); any other model is "complex" and priced by genai-prices itself. The lookup below
follows genai-prices' own (``find_provider_model``) step by step, so both answer the same provider and model
for any name.

The index speaks for genai-prices only while it was built from the installed release and the user has set no
snapshot of their own (``set_custom_snapshot`` / ``UpdatePrices``); otherwise ``current()`` answers None and
everything goes through genai-prices. Loading it imports neither genai_prices nor pydantic.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

_logger = logging.getLogger("huggingplace_sdk.engine")

INDEX_PATH = Path(__file__).with_name("price_index.json")
REBUILD_COMMAND = "uv run python -m huggingplace_sdk._engine.price_index_build"
COMPLEX = "complex"  # a model's "prices" when genai-prices must price it itself
TIERS_PRICED_APART = "service_tiers_priced_apart"  # tiers a price variant overrides: the table prices those

Clause = Mapping[str, Any]  # one key: equals / starts_with / ends_with / contains / regex / or / and


class IndexedModel(NamedTuple):
    """What the table answers for one (provider id, model name)."""

    provider_id: str  # the provider asked for (a model found through its fallback providers keeps it)
    model_id: str
    prices: Mapping[str, str] | None  # genai-prices' price keys -> USD per million tokens; None: complex
    tiers_priced_apart: tuple[str, ...]  # service tiers whose calls genai-prices must price itself

    def flat_for(self, service_tier: str | None) -> bool:
        """Whether ``prices`` price a call served at ``service_tier`` (reported by the provider, or None)."""
        return self.prices is not None and not (service_tier and service_tier in self.tiers_priced_apart)


def clause_matches(clause: Clause, text: str) -> bool:
    """genai-prices' match logic on a lower-cased ``text``: literals compare case-insensitively, a regex
    searches the text as given."""
    [(kind, value)] = clause.items()
    if kind == "or":
        return any(clause_matches(part, text) for part in value)
    if kind == "and":
        return all(clause_matches(part, text) for part in value)
    literal: str = value
    if kind == "regex":
        return re.search(literal, text) is not None
    literal = literal.lower()
    if kind == "equals":
        return text == literal
    if kind == "starts_with":
        return text.startswith(literal)
    if kind == "ends_with":
        return text.endswith(literal)
    if kind == "contains":
        return literal in text
    raise ValueError(f"price index: unknown match clause {kind!r}")


# A compact date suffix (``-20251211``) that genai-prices retries in its dashed form (``-2025-12-11``).
_COMPACT_DATE = re.compile(r"-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)")


def _dashed_date(found: re.Match[str]) -> str:
    year, month, day = (int(part) for part in found.groups())
    try:
        date(year, month, day)
    except ValueError:  # not a calendar date (e.g. -20250231): left as it is
        return found.group(0)
    return f"-{year:04d}-{month:02d}-{day:02d}"


class PriceIndex:
    """The providers of one genai-prices release, searched in the table's order."""

    __slots__ = ("_by_id", "_providers", "source", "version")

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.version: str = document["genai_prices_version"]
        self.source = f"genai-prices {self.version}"
        self._providers: list[Mapping[str, Any]] = document["providers"]
        self._by_id: dict[str, Mapping[str, Any]] = {}
        for provider in self._providers:
            self._by_id.setdefault(provider["id"], provider)  # the first of an id wins, as in the table

    def find(self, provider_id: str | None, model_ref: str) -> IndexedModel | None:
        """The provider and model genai-prices would price ``model_ref`` with; None where it knows none."""
        model_ref = model_ref.lower()
        if provider_id is not None and provider_id.lower() == "litellm" and "/" in model_ref:
            # LiteLLM names carry their provider as a prefix ("anthropic/claude-..."), when it is a known one.
            prefix, rest = model_ref.split("/", 1)
            if prefix and self._provider_by_id(prefix) is not None:
                provider_id, model_ref = prefix, rest
        provider = self._provider(model_ref, provider_id)
        if provider is None:
            return None
        model = self._model(provider, model_ref)
        if model is None:
            return None
        prices = model["prices"]
        return IndexedModel(provider["id"], model["id"], None if prices == COMPLEX else prices,
                            tuple(model.get(TIERS_PRICED_APART, ())))

    def _provider(self, model_ref: str, provider_id: str | None) -> Mapping[str, Any] | None:
        if provider_id is not None:
            provider = self._provider_by_id(provider_id)
            if provider is not None or provider_id.lower() != "litellm":
                return provider
        if model_ref:
            for provider in self._providers:
                if provider["model_match"] is not None and clause_matches(provider["model_match"], model_ref):
                    return provider
        return None

    def _provider_by_id(self, provider_id: str) -> Mapping[str, Any] | None:
        wanted = provider_id.lower().strip()
        provider = self._by_id.get(wanted)
        if provider is not None:
            return provider
        for provider in self._providers:
            if provider["provider_match"] is not None and clause_matches(provider["provider_match"], wanted):
                return provider
        return None

    def _model(self, provider: Mapping[str, Any], model_ref: str) -> Mapping[str, Any] | None:
        model = self._match_model(provider, model_ref, with_fallbacks=True)
        if model is not None:
            return model
        dashed = _COMPACT_DATE.sub(_dashed_date, model_ref)
        return self._match_model(provider, dashed, with_fallbacks=True) if dashed != model_ref else None

    def _match_model(self, provider: Mapping[str, Any], model_ref: str, *,
                     with_fallbacks: bool) -> Mapping[str, Any] | None:
        for model in _models(provider):
            if clause_matches(model["match"], model_ref):
                return model
        if with_fallbacks:
            for fallback_id in provider["fallback_model_providers"] or ():
                fallback = self._by_id.get(fallback_id)
                # One step only: a fallback provider's own fallbacks are not followed.
                found = None if fallback is None else self._match_model(fallback, model_ref, with_fallbacks=False)
                if found is not None:
                    return found
        return None


def _models(provider: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    models = provider["models"]
    if isinstance(models, str):  # left as text by read_document until this provider is asked about
        models = json.loads(models)
        provider["models"] = models  # type: ignore[index]  # the document's own dicts are mutable
    return models  # type: ignore[no-any-return]


_MODELS_OPEN = ',"models":['


def read_document(text: str) -> dict[str, Any]:
    """The index document, each provider's models left as JSON text until that provider is asked about.

    Parsing all 2,300 models would cost the first priced call several ms, and keeping them all as objects
    makes every later garbage collection (and interpreter exit) slower; a process asks about one or two
    providers. This relies on the layout the build writes (one line per provider header and per model); a
    file laid out otherwise is parsed whole."""
    lines = text.split("\n")
    try:
        if lines[0] != "{" or lines[3] != '"providers":[':
            raise ValueError("not the built layout")
        document: dict[str, Any] = json.loads("{" + lines[1] + lines[2].rstrip(",") + "}")
        providers: list[dict[str, Any]] = []
        at = 4
        while lines[at] != "]":
            header = lines[at]
            if not header.endswith(_MODELS_OPEN):
                raise ValueError("not the built layout")
            end = _provider_end(lines, at + 1)
            provider = json.loads(header[:-len(_MODELS_OPEN)] + "}")
            provider["models"] = "[" + "".join(lines[at + 1:end]) + "]"
            providers.append(provider)
            at = end + 1
        document["providers"] = providers
        return document
    except (IndexError, ValueError):
        parsed: dict[str, Any] = json.loads(text)
        return parsed


def _provider_end(lines: list[str], at: int) -> int:
    while not lines[at].startswith("]}"):
        at += 1
    return at


def installed_genai_prices_version() -> str | None:
    from .versions import installed_version  # here: only the first priced call needs it

    return installed_version("genai-prices")


@cache
def shipped() -> PriceIndex | None:
    """The shipped index when it was built from the installed genai-prices; read once."""
    try:
        index = PriceIndex(read_document(INDEX_PATH.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _logger.warning("price index %s unreadable (%r): prices come from genai-prices itself", INDEX_PATH, exc)
        return None
    installed = installed_genai_prices_version()
    if index.version != installed:
        _logger.debug("price index built from genai-prices %s, installed %s: prices come from genai-prices "
                      "itself (rebuild: %s)", index.version, installed, REBUILD_COMMAND)
        return None
    return index


def custom_snapshot_set() -> bool:
    """Whether the user replaced genai-prices' bundled table (checked without importing genai_prices)."""
    snapshot_module = sys.modules.get("genai_prices.data_snapshot")
    return snapshot_module is not None and getattr(snapshot_module, "_custom_snapshot", None) is not None


def current() -> PriceIndex | None:
    """The index when it speaks for the table genai-prices would use now; None: ask genai-prices."""
    if custom_snapshot_set():
        return None
    return shipped()
