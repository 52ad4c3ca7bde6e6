"""``gen_ai.provider.name`` from the client's base URL (OpenAI-compatible hosts), Azure deployments kept apart
from models, and the ``provider_hosts`` option for hosts the adapter does not know.

The real openai client sends to each host through an in-process transport that answers with a recorded
response (no network); expected values come from that recording.
"""

from __future__ import annotations

import logging
from typing import Any

import openai
import pytest
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, cassette_path, decoded_body, load_cassette, recorded_json

# openai 3.x sends through httpx2, older releases through httpx: the transport must be the client's own kind.
http: Any = getattr(openai._base_client, "httpx2", None) or openai._base_client.httpx
RECORDED = load_cassette(cassette_path("openai", "test_chat__test_chat"))[0]
MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]
SENT_TO: list[str] = []


def _respond(request: Any) -> Any:
    SENT_TO.append(str(request.url))
    return http.Response(200, headers={"content-type": "application/json"}, content=decoded_body(RECORDED))


def _http() -> Any:
    return http.Client(transport=http.MockTransport(_respond))


def _chat(client: Any, model: str = "gpt-4o-mini") -> Any:
    return client.chat.completions.create(model=model, messages=MESSAGES)


KNOWN_HOSTS = [
    ("https://api.openai.com/v1", "openai", "api.openai.com"),
    ("https://api.deepseek.com/v1", "deepseek", "api.deepseek.com"),
    ("https://api.x.ai/v1", "x_ai", "api.x.ai"),
    ("https://api.perplexity.ai", "perplexity", "api.perplexity.ai"),
    ("https://api.groq.com/openai/v1", "groq", "api.groq.com"),
    ("https://openrouter.ai/api/v1", "openrouter", "openrouter.ai"),
    ("https://api.together.xyz/v1", "together_ai", "api.together.xyz"),
    ("https://api.fireworks.ai/inference/v1", "fireworks_ai", "api.fireworks.ai"),
    ("http://localhost:11434/v1", "ollama", "localhost"),
    ("http://127.0.0.1:8000/v1", "openai", "127.0.0.1"),  # a loopback server says nothing about itself
    ("https://llm.internal.example/v1", "openai", "llm.internal.example"),
]


@pytest.mark.parametrize(("base_url", "provider", "host"), KNOWN_HOSTS, ids=[h[2] + ":" + h[1] for h in KNOWN_HOSTS])
def test_provider_comes_from_the_base_url(base_url: str, provider: str, host: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    _chat(openai.OpenAI(api_key="sk-test", base_url=base_url, http_client=_http(), max_retries=0))
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == provider
    assert attributes[sc.SERVER_ADDRESS] == host
    assert attributes[sc.GEN_AI_REQUEST_MODEL] == "gpt-4o-mini"
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded_json(RECORDED)["model"]


def test_an_unknown_host_is_named_by_the_option(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor(), provider_hosts={"llm.internal.example": "vllm"})
    _chat(openai.OpenAI(api_key="sk-test", base_url="https://LLM.internal.example/v1", http_client=_http()))
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_PROVIDER_NAME] == "vllm"


def test_the_option_comes_from_the_environment_and_bad_entries_are_skipped(
        span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("HUGGINGPLACE_OPENAI_PROVIDER_HOSTS", "nonsense, llm.internal.example = vllm ,=x")
    with caplog.at_level(logging.WARNING):
        span_capture.instrument(OpenAIInstrumentor())
    assert [r.getMessage() for r in caplog.records if "HUGGINGPLACE_OPENAI_PROVIDER_HOSTS" in r.getMessage()] == [
        "ignoring HUGGINGPLACE_OPENAI_PROVIDER_HOSTS entry 'nonsense': expected host=provider",
        "ignoring HUGGINGPLACE_OPENAI_PROVIDER_HOSTS entry '=x': expected host=provider",
    ]
    _chat(openai.OpenAI(api_key="sk-test", base_url="https://llm.internal.example/v1", http_client=_http()))
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_PROVIDER_NAME] == "vllm"


@pytest.mark.parametrize("bad", [["llm.internal.example"], {"llm.internal.example": 3}, {"": "vllm"}])
def test_a_bad_option_raises_at_instrument(bad: Any) -> None:
    with pytest.raises(TypeError, match="provider_hosts"):
        OpenAIInstrumentor().instrument(provider_hosts=bad)


def _azure(**kwargs: Any) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(api_key="azure-key", api_version="2024-10-21", http_client=_http(), **kwargs)


def test_azure_deployment_is_kept_apart_from_the_model(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    SENT_TO.clear()
    _chat(_azure(azure_endpoint="https://contoso.openai.azure.com"), model="prod-gpt4o")
    assert "/openai/deployments/prod-gpt4o/chat/completions" in SENT_TO[0]  # the model argument is the deployment
    span = span_capture.only_span()
    attributes = span.attributes or {}
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == "azure.ai.openai"
    assert attributes[sc.HP_AZURE_OPENAI_DEPLOYMENT] == "prod-gpt4o"
    assert sc.GEN_AI_REQUEST_MODEL not in attributes
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded_json(RECORDED)["model"]
    assert span.name == "chat prod-gpt4o"


def test_azure_deployment_fixed_in_the_client_and_a_custom_domain(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    _chat(_azure(azure_endpoint="https://gateway.contoso.example", azure_deployment="fixed-dep"), model="gpt-4o")
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.GEN_AI_PROVIDER_NAME] == "azure.ai.openai"  # known from the client class
    assert attributes[sc.HP_AZURE_OPENAI_DEPLOYMENT] == "fixed-dep"
    assert attributes[sc.SERVER_ADDRESS] == "gateway.contoso.example"
