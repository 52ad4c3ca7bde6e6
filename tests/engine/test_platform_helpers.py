"""argument_of and platform_session_attributes: the readers every platform adapter's hooks share."""

from __future__ import annotations

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk import session
from huggingplace_sdk.engine import argument_of, platform_session_attributes

PLATFORM_KEY = "huggingplace.platform.example.session.id"


def test_argument_by_keyword_wins_over_position() -> None:
    assert argument_of(("positional",), {"query": "keyword"}, 0, "query") == "keyword"


def test_argument_by_position_and_default() -> None:
    assert argument_of(("a", "b"), {}, 1, "second") == "b"
    assert argument_of(("a",), {}, 1, "second") is None
    assert argument_of(("a",), {}, 1, "second", 24) == 24


def test_platform_session_is_the_session_without_a_user_session() -> None:
    assert platform_session_attributes(PLATFORM_KEY, "plat-1") == {
        PLATFORM_KEY: "plat-1", sc.SESSION_ID: "plat-1", sc.GEN_AI_CONVERSATION_ID: "plat-1"}


def test_user_session_wins_and_platform_id_is_kept_beside_it() -> None:
    with session("user-session"):
        assert platform_session_attributes(PLATFORM_KEY, "plat-1") == {PLATFORM_KEY: "plat-1"}


def test_missing_or_non_string_session_id_gives_nothing() -> None:
    for value in (None, "", 42, b"plat-1"):
        assert platform_session_attributes(PLATFORM_KEY, value) == {}
