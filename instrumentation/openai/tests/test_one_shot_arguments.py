"""Messages and tools given as one-shot iterables (generators) reach the API whole: content capture reads
only lists and tuples, since it reads before the call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, cassette_path, load_cassette, recorded_json, recorded_request_json

_INTERACTION = load_cassette(cassette_path("openai", "test_functions__test_open_ai_function_calls_tools"))[0]
_SENT = recorded_request_json(_INTERACTION)


def _send_with_generators() -> list[dict[str, Any]]:
    """The request bodies the client sends when messages and tools come from generators."""
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=recorded_json(_INTERACTION))

    def one_shot(items: list[Any]) -> Iterator[Any]:
        yield from items

    client = openai.OpenAI(api_key="sk-unused", base_url="https://example.test/v1",
                           http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.chat.completions.create(model=_SENT["model"], messages=one_shot(_SENT["messages"]),
                                   tools=one_shot(_SENT["tools"]))
    return bodies


def test_generator_messages_and_tools_are_sent_whole(span_capture: SpanCapture) -> None:
    baseline = _send_with_generators()
    assert baseline[0]["messages"] == _SENT["messages"]  # the client itself accepts generators
    span_capture.instrument(OpenAIInstrumentor(), capture_content=True)
    assert _send_with_generators() == baseline
    attributes = span_capture.only_span().attributes or {}
    assert sc.GEN_AI_INPUT_MESSAGES not in attributes  # not read, rather than read away from the client
    assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded_json(_INTERACTION)["id"]
