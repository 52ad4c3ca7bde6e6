"""The engine's shared read helpers (used by the openai, anthropic and mistralai codecs)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import anthropic
import openai
import pytest

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    field_of,
    given_value,
    integer_of,
    number_attributes,
    number_of,
    put_sampling,
    strict_float,
    strict_int,
    strings_of,
)


class Unset:  # the shape of mistralai's sentinel type (matched by name)
    pass


class _Mapping(dict[str, Any]):
    pass


@pytest.mark.parametrize("sentinel", [openai.NOT_GIVEN, anthropic.NOT_GIVEN, Unset(), ...])  # ...: Fern (cohere)
def test_sdk_sentinels_read_as_absent(sentinel: Any) -> None:
    assert given_value(sentinel) is None
    assert field_of({"temperature": sentinel}, "temperature") is None
    assert field_of(SimpleNamespace(temperature=sentinel), "temperature") is None


def test_field_of_reads_keys_attributes_and_nothing_else() -> None:
    assert field_of({"id": "a"}, "id") == "a"
    assert field_of(_Mapping(id="b"), "id") == "b"
    assert field_of(SimpleNamespace(id="c"), "id") == "c"
    assert field_of(None, "id") is None
    assert field_of({"id": "a"}, "other") is None
    assert field_of(SimpleNamespace(), "id") is None
    assert field_of({"n": 0}, "n") == 0  # falsy values are values


def test_numbers_exclude_bools_and_non_numbers() -> None:
    assert number_of(0.5) == 0.5 and number_of(3) == 3
    assert number_of(True) is None and number_of("3") is None and number_of(openai.NOT_GIVEN) is None
    assert integer_of(7.0) == 7 and integer_of(False) is None


def test_strings_of_takes_a_string_or_a_sequence_of_strings() -> None:
    assert strings_of("END") == ["END"]
    assert strings_of(("a", "b")) == ["a", "b"]
    assert strings_of(["a", 1]) is None and strings_of(None) is None


def test_number_attributes_keeps_only_real_numbers() -> None:
    names = (("temperature", "t"), ("top_p", "p"), ("top_k", "k"), ("seed", "s"))
    kwargs = {"temperature": 0.2, "top_p": anthropic.NOT_GIVEN, "top_k": True, "seed": 0}
    assert number_attributes(kwargs, names) == {"t": 0.2, "s": 0}


def test_put_sampling_converts_the_named_arguments_and_skips_absent_or_invalid_ones() -> None:
    sampling = {"p": (sc.GEN_AI_REQUEST_TOP_P, strict_float), "max_tokens": (sc.GEN_AI_REQUEST_MAX_TOKENS, strict_int)}
    attributes: dict[str, Any] = {}
    put_sampling(attributes, {"p": 0.5, "max_tokens": ..., "seed": 3, "other": None}, sampling)
    assert attributes == {sc.GEN_AI_REQUEST_TOP_P: 0.5}
    put_sampling(attributes, {"max_tokens": "many"}, sampling)  # not an integer: not recorded
    assert attributes == {sc.GEN_AI_REQUEST_TOP_P: 0.5}
