"""Values read from vendor responses are checked before they reach an attribute or a metric."""

from __future__ import annotations

import pytest

from huggingplace_sdk._engine.values import (
    MAX_TOKEN_COUNT,
    checked_attribute,
    checked_text,
    checked_token_count,
    count_rejected,
    rejected_value_counts,
    repaired_text,
)


def test_text_with_lone_surrogates_is_repaired_with_the_replacement_character() -> None:
    assert repaired_text("plain") == "plain"
    assert repaired_text("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"  # a whole emoji is fine
    assert repaired_text("split \ud83d") == "split \ufffd"
    assert repaired_text("\ude00 and \ud83d") == "\ufffd and \ufffd"
    repaired_text("x\ud83dy").encode("utf-8")


@pytest.mark.parametrize("value", [None, 3, 2.5, ["a"], {"a": 1}, b"bytes", ""])
def test_checked_text_takes_only_non_empty_strings(value: object) -> None:
    assert checked_text(value) is None


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (42, 42), (MAX_TOKEN_COUNT, MAX_TOKEN_COUNT), (12.0, 12),
    (-1, None), (MAX_TOKEN_COUNT + 1, None), (2**64, None), (1.5, None), (True, None), ("12", None),
    ([12], None), (None, None), (float("nan"), None), (float("inf"), None),
])
def test_token_counts_are_ints_within_int64(value: object, expected: int | None) -> None:
    assert checked_token_count(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("text\ud83d", "text\ufffd"), (True, True), (7, 7), (0.5, 0.5), (["a", "b\ud83d"], ["a", "b\ufffd"]),
    ((1, 2), [1, 2]), ([], []),
    ({"a": 1}, None), (None, None), (2**63, None), (["a", 1], None), ([["nested"]], None), (b"raw", None),
])
def test_attribute_values_are_valid_opentelemetry_values(value: object, expected: object) -> None:
    assert checked_attribute(value) == expected


def test_rejections_are_counted_by_field() -> None:
    before = rejected_value_counts().get("test.field", 0)
    count_rejected("test.field")
    count_rejected("test.field")
    assert rejected_value_counts()["test.field"] == before + 2
