"""Every recorded Anthropic cassette, replayed through the real client into our spans.

Expected values come from the recorded responses (see ``_recorded.py``), never from our code.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import anthropic
import pytest
from huggingplace_instrumentation_anthropic import AnthropicInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_paths,
    recorded_request_json,
)

from ._recorded import Recorded, recorded_message

CASSETTES = cassette_paths("anthropic")
API_KEY = "sk-ant-replay-secret-7f3a"
HAS_LEGACY_COMPLETIONS = hasattr(anthropic.Anthropic(api_key="unused"), "completions")


def _is_helper(name: str) -> bool:
    return any(word in name for word in ("stream_manager", "helper_method"))


def _split_kwargs(method: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Body fields this SDK release names as parameters; the others (e.g. output_format) go in extra_body."""
    parameters = inspect.signature(method).parameters
    kwargs = {k: v for k, v in body.items() if k in parameters or k == "extra_query"}
    extra = {k: v for k, v in body.items() if k not in parameters and k != "extra_query"}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _resource(name: str, client: Any) -> Any:
    beta = client.beta.messages
    # Older releases have no beta stream() helper: their non-beta one replays the same recording.
    if "beta" in name and (hasattr(beta, "stream") or not _is_helper(name)):
        return beta
    return client.messages


def _replay_sync(name: str, client: anthropic.Anthropic, body: dict[str, Any]) -> Any:
    resource = _resource(name, client)
    if _is_helper(name):
        body = {k: v for k, v in body.items() if k != "stream"}
        with resource.stream(**_split_kwargs(resource.stream, body)) as stream:
            if "text_stream" in name:
                assert "".join(stream.text_stream)
            return stream.get_final_message()
    result = resource.create(**_split_kwargs(resource.create, body))
    if body.get("stream"):
        assert type(result) is anthropic.Stream
        events = list(result)
        assert events
        return events
    return result


async def _replay_async(name: str, client: anthropic.AsyncAnthropic, body: dict[str, Any]) -> Any:
    resource = _resource(name, client)
    if _is_helper(name):
        body = {k: v for k, v in body.items() if k != "stream"}
        async with resource.stream(**_split_kwargs(resource.stream, body)) as stream:
            return await stream.get_final_message()
    result = await resource.create(**_split_kwargs(resource.create, body))
    if body.get("stream"):
        assert type(result) is anthropic.AsyncStream
        return [event async for event in result]
    return result


async def _replay(path: Path, capture: SpanCapture, capture_content: bool) -> list[tuple[dict[str, Any], Recorded]]:
    capture.instrument(AnthropicInstrumentor(), capture_content=capture_content)
    done: list[tuple[dict[str, Any], Recorded]] = []
    with ReplayServer(path) as server:
        for interaction in server.interactions:
            body = recorded_request_json(interaction)
            if interaction.request.query:  # e.g. ?beta=true, which newer releases no longer send
                body = {**body, "extra_query": dict(interaction.request.query)}
            if "async" in path.name:
                async_client = anthropic.AsyncAnthropic(api_key=API_KEY, base_url=server.base_url, max_retries=0)
                await _replay_async(path.name, async_client, body)
            else:
                client = anthropic.Anthropic(api_key=API_KEY, base_url=server.base_url, max_retries=0)
                _replay_sync(path.name, client, body)
            done.append((body, recorded_message(interaction)))
        assert not server.unused()
        assert all(request.matched is not None for request in server.requests)
    return done


def _ours(capture: SpanCapture) -> list[Any]:
    # anthropic >= 2 also emits its own spans when a global provider is set; only ours are checked here.
    return [s for s in capture.spans() if s.instrumentation_scope.name == "huggingplace_instrumentation_anthropic"]




@pytest.mark.parametrize("path", [p for p in CASSETTES if "test_completion" not in p.name], ids=lambda p: p.stem)
@pytest.mark.parametrize("capture_content", [True, False], ids=["content", "no_content"])
async def test_cassette_replays_into_spans_with_recorded_values(
    path: Path, capture_content: bool, span_capture: SpanCapture
) -> None:
    calls = await _replay(path, span_capture, capture_content)
    spans = _ours(span_capture)
    assert len(spans) == len(calls)
    assert_no_secret_in_spans(span_capture.spans(), [API_KEY])
    for span, (body, recorded) in zip(spans, calls, strict=True):
        attributes = dict(span.attributes or {})
        streamed = recorded.events is not None
        assert span.name == f"chat {body['model']}"
        assert attributes[sc.GEN_AI_OPERATION_NAME] == "chat"
        assert attributes[sc.GEN_AI_PROVIDER_NAME] == "anthropic"
        assert attributes[sc.GEN_AI_REQUEST_MODEL] == body["model"]
        assert attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] == body["max_tokens"]
        assert attributes[sc.GEN_AI_REQUEST_STREAM] is streamed
        assert attributes[sc.SERVER_ADDRESS] == "127.0.0.1"
        assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded.id
        assert attributes[sc.GEN_AI_RESPONSE_MODEL] == recorded.model
        assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [recorded.stop_reason]
        assert attributes[sc.HP_USAGE_SOURCE] == "provider"
        assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == recorded.input_tokens
        assert attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == recorded.output_tokens
        assert attributes.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) == recorded.cache_read
        assert attributes.get(sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS) == recorded.cache_creation
        if streamed:
            assert attributes[sc.HP_STREAM_OUTCOME] == "completed"
            assert attributes[sc.HP_STREAM_CHUNKS] == recorded.events
        if recorded.tool_calls:
            assert list(attributes[sc.HP_TOOL_CALL_IDS]) == [call[0] for call in recorded.tool_calls]
            assert list(attributes[sc.HP_TOOL_CALL_NAMES]) == [call[1] for call in recorded.tool_calls]
        if capture_content:
            _assert_content(attributes, body, recorded)
        else:
            assert not any(key in attributes for key in (
                sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES, sc.GEN_AI_SYSTEM_INSTRUCTIONS,
                sc.GEN_AI_TOOL_DEFINITIONS,
            ))


def _assert_content(attributes: dict[str, Any], body: dict[str, Any], recorded: Recorded) -> None:
    inputs = json.loads(attributes[sc.GEN_AI_INPUT_MESSAGES])
    assert [m["role"] for m in inputs] == [m["role"] for m in body["messages"]]
    first = body["messages"][0]["content"]
    first_text = first if isinstance(first, str) else first[0]["text"]
    assert inputs[0]["parts"][0] == {"type": "text", "content": first_text}
    if "tools" in body:
        tools = json.loads(attributes[sc.GEN_AI_TOOL_DEFINITIONS])
        assert [t["name"] for t in tools] == [t["name"] for t in body["tools"]]
    if "system" in body:
        system = json.loads(attributes[sc.GEN_AI_SYSTEM_INSTRUCTIONS])
        recorded_system = body["system"]
        expected = recorded_system if isinstance(recorded_system, str) else recorded_system[0]["text"]
        assert system[0]["content"] == expected
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["role"] == "assistant"
    assert output["finish_reason"] == recorded.stop_reason
    parts = {part["type"]: part for part in output["parts"] if part["type"] != "tool_call"}
    if recorded.text:
        assert parts["text"]["content"] == recorded.text
    if recorded.thinking:
        assert parts["reasoning"]["content"] == recorded.thinking
    else:
        assert "reasoning" not in parts
    calls = [part for part in output["parts"] if part["type"] == "tool_call"]
    assert [(c["id"], c["name"], c["arguments"]) for c in calls] == recorded.tool_calls


@pytest.mark.skipif(
    not HAS_LEGACY_COMPLETIONS,
    reason="this anthropic release has no legacy Text Completions API (covered at the oldest supported release)",
)
def test_legacy_completion_is_a_text_completion_span_without_usage(span_capture: SpanCapture) -> None:
    from huggingplace_sdk.testing import cassette_path, recorded_json

    path = cassette_path("anthropic", "test_completion__test_anthropic_completion_legacy")
    span_capture.instrument(AnthropicInstrumentor(), capture_content=True)
    with ReplayServer(path) as server:
        [interaction] = server.interactions
        body = recorded_request_json(interaction)
        client = anthropic.Anthropic(api_key=API_KEY, base_url=server.base_url, max_retries=0)
        result = client.completions.create(**body)
        recorded = recorded_json(interaction)
    assert result.completion == recorded["completion"]
    [span] = _ours(span_capture)
    attributes = dict(span.attributes or {})
    assert span.name == f"text_completion {body['model']}"
    assert attributes[sc.GEN_AI_OPERATION_NAME] == "text_completion"
    assert attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] == body["max_tokens_to_sample"]
    assert attributes[sc.GEN_AI_REQUEST_TOP_P] == body["top_p"]
    assert attributes[sc.GEN_AI_RESPONSE_ID] == recorded["id"]
    assert list(attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == [recorded["stop_reason"]]
    # The legacy API reports no usage: the span says so instead of inventing counts.
    assert attributes[sc.HP_USAGE_SOURCE] == "absent"
    assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attributes
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert output["parts"] == [{"type": "text", "content": recorded["completion"]}]
