"""``instrument(prices=...)``: the user's prices (a mapping or a callable) first, the table after; and the
table's loading: never at import, never over the network."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from typing import Any

import openai
import pytest
from _calls import call_openai, openai_client, usd

from huggingplace_sdk import _instrument, instrument
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._engine.cost import Pricer, table_source
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_path, recorded_json

CACHING = "test_prompt_caching__test_openai_prompt_caching"


def _replay(capture: SpanCapture, prices: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    with capture.instrumented_by_name("openai", prices=prices), \
            ReplayServer(cassette_path("openai", CACHING)) as server, openai_client(server.base_url) as client:
        for interaction in server.interactions:
            capture.clear()
            result = call_openai(client, interaction)
            assert type(result) is openai.types.chat.ChatCompletion
            out.append((dict(capture.only_span().attributes or {}), recorded_json(interaction)))
    return out


def test_a_contract_price_for_the_reported_model_overrides_the_table(span_capture: SpanCapture) -> None:
    contract = {"gpt-4o-mini-2024-07-18": {"input": 1, "output": "2.5", "cache_read": 0.5}}
    for attrs, body in _replay(span_capture, contract):
        usage = body["usage"]
        cached = usage["prompt_tokens_details"]["cached_tokens"]
        expected = (usd(usage["prompt_tokens"] - cached, "1") + usd(cached, "0.5")
                    + usd(usage["completion_tokens"], "2.5"))
        assert attrs[sc.HP_COST_AMOUNT] == pytest.approx(float(expected), rel=1e-12)
        assert attrs[sc.HP_COST_PRICE_SOURCE] == sc.COST_PRICE_SOURCE_USER
        assert attrs[sc.HP_COST_PRICE_MODEL] == "gpt-4o-mini-2024-07-18"
        assert sc.HP_COST_PRICE_PROVIDER not in attrs


def test_a_price_callable_sees_provider_and_model_and_none_falls_back_to_the_table(
        span_capture: SpanCapture) -> None:
    asked: list[tuple[str, str]] = []

    def prices(provider: str, model: str) -> None:
        asked.append((provider, model))
        return None

    calls = _replay(span_capture, prices)
    # Asked for the reported model, then the requested one (no user price for either), then the table.
    assert asked[:2] == [("openai", calls[0][1]["model"]), ("openai", "gpt-4o-mini")]
    assert all(attrs[sc.HP_COST_PRICE_SOURCE] == table_source() for attrs, _ in calls)


def test_a_failing_price_callable_leaves_the_call_unpriced_and_unbroken(span_capture: SpanCapture,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    def prices(provider: str, model: str) -> dict[str, Any]:
        raise KeyError(model)

    for attrs, _ in _replay(span_capture, prices):
        assert attrs[sc.HP_COST_STATUS] == sc.COST_UNPRICED
        assert attrs[sc.HP_COST_UNPRICED_REASON] == sc.UNPRICED_PRICE_ERROR
        assert sc.HP_COST_AMOUNT not in attrs
    assert "prices callable failed" in caplog.text


@pytest.mark.parametrize(("prices", "error"), [
    (42, TypeError),
    ({"m": 3}, TypeError),
    ({"m": {"input": 1}}, ValueError),
    ({"m": {"input": 1, "output": 1, "inputs": 2}}, ValueError),
    ({"m": {"input": -1, "output": 1}}, ValueError),
    ({"m": {"input": float("nan"), "output": 1}}, ValueError),
    ({"m": {"input": True, "output": 1}}, TypeError),
    ({"": {"input": 1, "output": 1}}, TypeError),
])
def test_bad_prices_raise_a_clear_error_before_anything_is_instrumented(prices: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="price"):
        instrument(["openai"], prices=prices, huggingplace=False, console=False)
    assert _instrument._current is None


def test_user_prices_split_the_parts_they_price() -> None:
    pricer = Pricer({"ft:my-model": {"input": 2, "output": 8, "cache_read": 1, "cache_write": 3, "reasoning": 4}})
    usage = {sc.GEN_AI_USAGE_INPUT_TOKENS: 1000, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: 200,
             sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: 300, sc.GEN_AI_USAGE_OUTPUT_TOKENS: 500,
             sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: 100}
    cost = pricer.price("openai", ("ft:my-model",), usage)
    assert cost.parts == {"input": usd(500, "2"), "cache_read": usd(200, "1"), "cache_write": usd(300, "3"),
                          "output": usd(400, "8"), "reasoning": usd(100, "4")}
    assert cost.total == Decimal("0.0001") * 10 + Decimal("0.0002") + Decimal("0.0009") + Decimal("0.0032") \
        + Decimal("0.0004")
    # More cached tokens than input tokens: the counts do not add up, so no number is made up.
    bad = pricer.price("openai", ("ft:my-model",), {**usage, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: 2000})
    assert bad.status == sc.COST_UNPRICED and bad.unpriced_reason == sc.UNPRICED_INVALID_USAGE


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_and_instrument_do_not_load_the_price_table() -> None:
    out = _run("""
        import sys
        import huggingplace_sdk as hp
        from opentelemetry.sdk.trace import TracerProvider
        hp.instrument(["openai", "anthropic"], tracer_provider=TracerProvider(), huggingplace=False, console=False)
        print(sorted(m for m in sys.modules if m.startswith("genai_prices")))
    """)
    assert out.strip() == "[]"


def test_pricing_never_touches_the_network() -> None:
    out = _run("""
        import socket
        def refuse(*args, **kwargs):
            raise AssertionError("network access while pricing")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from huggingplace_sdk._engine.cost import Pricer
        cost = Pricer().price("openai", ("gpt-4o-mini",), {"gen_ai.usage.input_tokens": 1000000})
        print(cost.status, cost.total)
    """)
    status, total = out.split()
    assert status == "priced" and Decimal(total) == Decimal("0.15")
