"""Never break the call: result types unchanged, the caller's exceptions unchanged; provider resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import litellm
import pytest
from huggingplace_instrumentation_litellm import LiteLLMInstrumentor
from huggingplace_instrumentation_litellm._providers import resolve
from huggingplace_instrumentation_litellm._responses import provider_response_id

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, error_type_of
from huggingplace_sdk.testing import ReplayServer, SpanCapture, cassette_paths

from .test_replay import call_litellm


async def _results(path: Path, use_async: bool) -> list[tuple[type, list[type]]]:
    with ReplayServer(path) as server:
        outcomes = [await call_litellm(interaction, server.base_url, use_async) for interaction in server.interactions]
    return [(type(result), [type(chunk) for chunk in chunks]) for result, chunks in outcomes]


@pytest.mark.parametrize("path", cassette_paths("litellm"), ids=lambda p: p.stem)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
async def test_result_and_chunk_types_are_litellm_own(path: Path, use_async: bool, span_capture: SpanCapture) -> None:
    baseline = await _results(path, use_async)
    span_capture.instrument(LiteLLMInstrumentor())
    assert await _results(path, use_async) == baseline
    assert len(span_capture.spans()) == len(baseline)


def _failing_call() -> Any:
    # LiteLLM cannot route this model: it raises before any request.
    return litellm.completion(model="no-such-provider-model-x1", messages=[{"role": "user", "content": "hi"}])


def test_the_callers_exception_passes_unchanged(span_capture: SpanCapture) -> None:
    with pytest.raises(Exception) as uninstrumented:
        _failing_call()
    span_capture.instrument(LiteLLMInstrumentor())
    with pytest.raises(Exception) as instrumented:
        _failing_call()
    assert type(instrumented.value) is type(uninstrumented.value)
    assert str(instrumented.value) == str(uninstrumented.value)
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == "litellm"  # unroutable: LiteLLM names no provider
    assert attributes[sc.ERROR_TYPE] == error_type_of(uninstrumented.value)


@pytest.mark.parametrize(("model", "kwargs", "provider", "api_base"), [
    ("gpt-4o-mini", {}, "openai", None),
    ("anthropic/claude-sonnet-4-5", {}, "anthropic", None),
    ("azure/prod-deployment", {}, "azure.ai.openai", None),
    ("groq/llama-3.3-70b-versatile", {}, "groq", "https://api.groq.com/openai/v1"),
    ("xai/grok-3", {}, "x_ai", "https://api.x.ai/v1"),
    ("mistral/mistral-large-latest", {}, "mistral_ai", "https://api.mistral.ai/v1"),
    ("gemini/gemini-2.0-flash", {}, "gcp.gemini", None),
    ("bedrock/anthropic.claude-3-haiku", {}, "aws.bedrock", None),
    ("openrouter/meta/llama", {}, "openrouter", None),
    ("my-model", {"custom_llm_provider": "together_ai"}, "together_ai", "https://api.together.ai/v1"),
    ("my-model", {"api_base": "http://127.0.0.1:9/v1", "custom_llm_provider": "openai"}, "openai",
     "http://127.0.0.1:9/v1"),
])
def test_provider_is_litellms_own_routing(model: str, kwargs: dict[str, Any], provider: str,
                                          api_base: str | None) -> None:
    assert resolve(Call(None, (), {"model": model, **kwargs}, {}), model) == (provider, api_base)


def test_responses_ids_are_the_providers() -> None:
    # LiteLLM's format: "resp_" + base64("litellm:custom_llm_provider:<p>;model_id:<m>;response_id:<id>")
    from litellm.responses.utils import ResponsesAPIRequestUtils

    encoded = ResponsesAPIRequestUtils._build_responses_api_response_id(
        custom_llm_provider="openai", model_id=None, response_id="resp_abc123")
    assert encoded != "resp_abc123"
    assert provider_response_id(encoded) == "resp_abc123"
    assert provider_response_id("resp_abc123") == "resp_abc123"  # a plain provider id stays as it is
    assert provider_response_id("chatcmpl-1") == "chatcmpl-1"
