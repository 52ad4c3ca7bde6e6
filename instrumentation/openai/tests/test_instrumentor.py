"""Instrumentor behaviour: surface, idempotence, exact restore, names kept as sent, no duplicate spans."""

from __future__ import annotations

import importlib
import json
from importlib.metadata import entry_points
from typing import Any

import huggingplace_instrumentation_openai as package
import openai
import openai.resources.chat.completions as chat_module
import openai.resources.completions as completions_module
import openai.resources.embeddings as embeddings_module
import openai.resources.responses as responses_module
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from opentelemetry import context as otel_context

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, cassette_path, load_cassette, recorded_json
from huggingplace_sdk.testing._capture import SpanCapture

from ._drive import chat_helpers, sync_client

CHAT = cassette_path("openai", "test_chat__test_chat")
CHAT_STREAM = cassette_path("openai", "test_chat__test_chat_streaming_not_consumed")
_BETA_CHAT = "openai.resources.beta.chat.completions"
MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]

# chat parse() left beta in later 1.x releases: whichever class this release defines it on is wrapped.
_PARSE_OWNER: Any = chat_module if "parse" in vars(chat_module.Completions) else importlib.import_module(_BETA_CHAT)
WRAPPED = [
    (chat_module.Completions, "create"),
    (chat_module.AsyncCompletions, "create"),
    (_PARSE_OWNER.Completions, "parse"),
    (_PARSE_OWNER.AsyncCompletions, "parse"),
    (completions_module.Completions, "create"),
    (completions_module.AsyncCompletions, "create"),
    (embeddings_module.Embeddings, "create"),
    (embeddings_module.AsyncEmbeddings, "create"),
    (responses_module.Responses, "create"),
    (responses_module.AsyncResponses, "create"),
    (responses_module.Responses, "parse"),
    (responses_module.AsyncResponses, "parse"),
]


def _helper_inits() -> list[tuple[type, Any]]:
    from openai.lib.streaming.chat import AsyncChatCompletionStream, ChatCompletionStream
    from openai.lib.streaming.responses import AsyncResponseStream, ResponseStream

    helpers = (ChatCompletionStream, AsyncChatCompletionStream, ResponseStream, AsyncResponseStream)
    return [(cls, vars(cls)["__init__"]) for cls in helpers]


def test_public_surface() -> None:
    assert package.__all__ == ["OpenAIInstrumentor", "__version__"]
    assert isinstance(package.__version__, str) and package.__version__
    assert OpenAIInstrumentor.provider == "openai"
    assert list(OpenAIInstrumentor().instrumentation_dependencies()) == ["openai >= 1.66, < 4"]


def test_instruments_extra_matches_the_claimed_range() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    (declared,) = [Requirement(r) for r in requires("huggingplace-instrumentation-openai") or [] if "instruments" in r]
    (claimed,) = [Requirement(r) for r in OpenAIInstrumentor().instrumentation_dependencies()]
    assert (declared.name, declared.specifier) == (claimed.name, claimed.specifier)
    assert openai.__version__ in claimed.specifier  # the release under test is one we claim


def test_entry_point_declared() -> None:
    found = [ep for ep in entry_points(group="opentelemetry_instrumentor") if ep.name == "openai"]
    assert [ep.load() for ep in found] == [OpenAIInstrumentor]


def test_uninstrument_restores_every_original_exactly(span_capture: SpanCapture) -> None:
    originals = [(cls, name, vars(cls)[name]) for cls, name in WRAPPED]
    inits = _helper_inits()
    with span_capture.instrumented(OpenAIInstrumentor()):
        assert all(vars(cls)[name] is not original for cls, name, original in originals)
        assert all(vars(cls)["__init__"] is not original for cls, original in inits)
    assert all(vars(cls)[name] is original for cls, name, original in originals)
    assert all(vars(cls)["__init__"] is original for cls, original in inits)
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert span_capture.spans() == []


def test_instrument_twice_wraps_once(span_capture: SpanCapture) -> None:
    instrumentor = OpenAIInstrumentor()
    span_capture.instrument(instrumentor)
    instrumentor.instrument()  # BaseInstrumentor ignores the second call
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    assert len(span_capture.spans()) == 1


def test_org_prefixed_model_recorded_exactly_as_sent(span_capture: SpanCapture) -> None:
    expected = recorded_json(load_cassette(CHAT)[0])
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        client.chat.completions.create(model="my-org/gpt-3.5-turbo:ft-2024", messages=MESSAGES)
    span = span_capture.only_span()
    attrs = span.attributes or {}
    assert span.name == "chat my-org/gpt-3.5-turbo:ft-2024"
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == "my-org/gpt-3.5-turbo:ft-2024"
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == expected["model"]


def test_request_attributes_from_arguments(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
        client.chat.completions.create(
            model="gpt-3.5-turbo",
            messages=MESSAGES,
            max_completion_tokens=50,
            temperature=0.2,
            top_p=0.9,
            stop="END",
            frequency_penalty=0.5,
            presence_penalty=-0.5,
            seed=7,
            n=2,
            response_format={"type": "json_object"},
        )
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stop=["a", "b"], max_tokens=9)
    first, second = (s.attributes or {} for s in span_capture.spans())
    assert first[sc.GEN_AI_REQUEST_MAX_TOKENS] == 50
    assert first[sc.GEN_AI_REQUEST_TEMPERATURE] == 0.2
    assert first[sc.GEN_AI_REQUEST_TOP_P] == 0.9
    assert list(first[sc.GEN_AI_REQUEST_STOP_SEQUENCES]) == ["END"]
    assert first[sc.GEN_AI_REQUEST_FREQUENCY_PENALTY] == 0.5
    assert first[sc.GEN_AI_REQUEST_PRESENCE_PENALTY] == -0.5
    assert first[sc.GEN_AI_REQUEST_SEED] == 7
    assert first[sc.GEN_AI_REQUEST_CHOICE_COUNT] == 2
    assert first[sc.GEN_AI_OUTPUT_TYPE] == "json"
    assert list(second[sc.GEN_AI_REQUEST_STOP_SEQUENCES]) == ["a", "b"]
    assert second[sc.GEN_AI_REQUEST_MAX_TOKENS] == 9
    assert sc.GEN_AI_REQUEST_CHOICE_COUNT not in second


def test_embeddings_encoding_format_recorded(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    path = cassette_path("openai", "test_embeddings__test_embeddings")
    with ReplayServer(path) as server, sync_client(server.base_url) as client:
        client.embeddings.create(model="text-embedding-ada-002", input="x", encoding_format="base64")
    attrs = span_capture.only_span().attributes or {}
    assert list(attrs[sc.GEN_AI_REQUEST_ENCODING_FORMATS]) == ["base64"]
    assert sc.GEN_AI_REQUEST_STREAM not in attrs


def test_stream_helper_gives_one_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    with (
        ReplayServer(CHAT_STREAM) as server,
        sync_client(server.base_url) as client,
        chat_helpers(client).stream(model="gpt-3.5-turbo", messages=MESSAGES) as stream,
    ):
        final = stream.get_final_completion()
    span = span_capture.only_span()
    assert (span.attributes or {})[sc.GEN_AI_RESPONSE_ID] == final.id


def test_suppressed_calls_are_not_traced(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    token = otel_context.attach(otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True))
    try:
        with ReplayServer(CHAT) as server, sync_client(server.base_url) as client:
            client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
    finally:
        otel_context.detach(token)
    assert span_capture.spans() == []


def test_no_api_key_in_any_attribute_or_event(span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor(), capture_content=True)
    with ReplayServer(CHAT) as server:
        client = openai.OpenAI(
            api_key="sk-very-secret-0123",
            base_url=f"{server.base_url}/v1",
            max_retries=0,
            default_headers={"X-Api-Key": "sk-very-secret-0123"},
        )
        client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
        assert server.requests[0].headers["authorization"] == "Bearer sk-very-secret-0123"  # it was sent
    span = span_capture.only_span()
    dumped = json.dumps(
        [{k: str(v) for k, v in (span.attributes or {}).items()}]
        + [{k: str(v) for k, v in (e.attributes or {}).items()} for e in span.events]
    )
    assert "sk-very-secret-0123" not in dumped
    assert "Bearer" not in dumped
