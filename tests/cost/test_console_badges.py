"""The console trace tree shows each call's cost, each step's sum and what could not be priced."""

from __future__ import annotations

import io

import openai
from _calls import assert_table, call_openai, openai_client, usd
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from huggingplace_sdk import trace_step
from huggingplace_sdk._console import ConsoleTreeExporter
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_path, recorded_json


def test_console_tree_has_cost_badges_and_sums(span_capture: SpanCapture) -> None:
    assert_table("openai", "gpt-3.5-turbo-0125", {"input_mtok": "0.5", "output_mtok": "1.5"})
    out = io.StringIO()
    span_capture.tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleTreeExporter(out)))
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(cassette_path("openai", "test_chat__test_chat")) as priced_server, \
            ReplayServer(cassette_path("groq", "test_chat_tracing__test_chat_legacy")) as groq_server, \
            openai_client(priced_server.base_url) as client, \
            openai.OpenAI(api_key="gsk-test", base_url=f"{groq_server.base_url}/openai/v1", max_retries=0) as llama, \
            trace_step("answer"):
        call_openai(client, priced_server.interactions[0])
        call_openai(llama, groq_server.interactions[0])
    usage = recorded_json(priced_server.interactions[0])["usage"]
    amount = usd(usage["prompt_tokens"], "0.5") + usd(usage["completion_tokens"], "1.5")
    answer, priced, unpriced = out.getvalue().splitlines()
    assert answer.startswith("answer [") and answer.endswith(f"cost=${amount:.6f} +1 unpriced")
    assert priced.startswith("  chat gpt-3.5-turbo [") and priced.endswith(f"cost=${amount:.6f}")
    assert unpriced.startswith("  chat llama3-8b-8192 [") and unpriced.endswith("cost=unpriced(unknown_model)")
