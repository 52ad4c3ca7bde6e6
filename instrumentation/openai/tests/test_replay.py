"""Every relevant recorded openai cassette, replayed through the real client into our spans.

Expected values come from the recorded responses (``_recorded.py``), never from our code. The Assistants
API cassettes are out of the adapter's scope (it does not trace the Assistants/Threads API) and are not
replayed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest
from huggingplace_instrumentation_openai import OpenAIInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import Interaction, ReplayServer, cassette_paths, recorded_request_json
from huggingplace_sdk.testing._capture import SpanCapture

from . import _recorded
from ._drive import async_client, replay_async, replay_sync, request_body, sync_client

OUT_OF_SCOPE = ("test_assistant__",)
CASSETTES = [p for p in cassette_paths("openai") if not p.name.startswith(OUT_OF_SCOPE)]


def test_every_in_scope_cassette_is_replayed() -> None:
    all_openai = cassette_paths("openai")
    skipped = [p.name for p in all_openai if p not in CASSETTES]
    assert all(name.startswith("test_assistant__") for name in skipped)
    assert len(CASSETTES) + len(skipped) == len(all_openai)
    assert len(CASSETTES) >= 70


def _expected(interaction: Interaction) -> tuple[str, _recorded.Recorded]:
    path = interaction.request.path
    if path.endswith("/chat/completions"):
        return sc.OP_CHAT, _recorded.chat_or_completion(interaction)
    if path.endswith("/completions"):
        return sc.OP_TEXT_COMPLETION, _recorded.chat_or_completion(interaction)
    if path.endswith("/embeddings"):
        return sc.OP_EMBEDDINGS, _recorded.embeddings(interaction)
    return sc.OP_CHAT, _recorded.responses(interaction)


def _check_request(span: ReadableSpan, interaction: Interaction, operation: str, port: int) -> None:
    body = recorded_request_json(interaction)
    attrs = span.attributes or {}
    assert span.kind is SpanKind.CLIENT
    assert span.name == f"{operation} {body['model']}"
    assert attrs[sc.GEN_AI_OPERATION_NAME] == operation
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "openai"
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == body["model"]
    assert attrs[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert attrs[sc.SERVER_PORT] == port
    if operation != sc.OP_EMBEDDINGS:
        assert attrs[sc.GEN_AI_REQUEST_STREAM] is bool(body.get("stream"))
    for name, key in (
        ("max_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
        ("max_output_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
        ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
        ("top_p", sc.GEN_AI_REQUEST_TOP_P),
        ("service_tier", sc.OPENAI_REQUEST_SERVICE_TIER),
    ):
        if name in body:
            assert attrs[key] == body[name]
    if body.get("n", 1) != 1:
        assert attrs[sc.GEN_AI_REQUEST_CHOICE_COUNT] == body["n"]
    else:
        assert sc.GEN_AI_REQUEST_CHOICE_COUNT not in attrs


def _check_response(span: ReadableSpan, recorded: _recorded.Recorded, streamed: bool) -> None:
    attrs = span.attributes or {}
    assert span.status.status_code is not StatusCode.ERROR
    assert attrs.get(sc.GEN_AI_RESPONSE_ID) == recorded.id
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == recorded.model
    assert list(attrs.get(sc.GEN_AI_RESPONSE_FINISH_REASONS, ())) == recorded.finish_reasons
    if recorded.usage_reported:
        assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_PROVIDER
        assert attrs.get(sc.GEN_AI_USAGE_INPUT_TOKENS) == recorded.input_tokens
        assert attrs.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS) == recorded.output_tokens
        assert attrs.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) == recorded.cache_read
        assert attrs.get(sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS) == recorded.reasoning
    else:  # never invented
        assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT
        assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attrs and sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attrs
    if recorded.dimensions is not None:
        assert attrs[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == recorded.dimensions
    if recorded.service_tier is not None:
        assert attrs[sc.OPENAI_RESPONSE_SERVICE_TIER] == recorded.service_tier
    ids = [call_id for call_id, _ in recorded.tool_calls if call_id]
    names = [name for _, name in recorded.tool_calls if name]
    assert list(attrs.get(sc.HP_TOOL_CALL_IDS, ())) == ids
    assert list(attrs.get(sc.HP_TOOL_CALL_NAMES, ())) == names
    if streamed:
        assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED
        assert attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] >= 0
    else:
        assert sc.HP_STREAM_OUTCOME not in attrs


def _check_error(span: ReadableSpan, interaction: Interaction, raised: BaseException | None) -> None:
    assert isinstance(raised, openai.APIStatusError)
    assert raised.status_code == interaction.response.status
    assert _recorded.error_message(interaction) in str(raised)
    attrs = span.attributes or {}
    cls = type(raised)
    assert attrs[sc.ERROR_TYPE] == f"{cls.__module__}.{cls.__qualname__}"
    assert span.status.status_code is StatusCode.ERROR


def _no_secret_anywhere(span: ReadableSpan) -> None:
    text = json.dumps({k: str(v) for k, v in (span.attributes or {}).items()})
    assert "sk-test-secret-key" not in text and "Bearer" not in text


def _check_content(span: ReadableSpan, interaction: Interaction, recorded: _recorded.Recorded, capture: bool) -> None:
    attrs = span.attributes or {}
    if not capture:
        content_keys = {
            sc.GEN_AI_INPUT_MESSAGES,
            sc.GEN_AI_OUTPUT_MESSAGES,
            sc.GEN_AI_SYSTEM_INSTRUCTIONS,
            sc.GEN_AI_TOOL_DEFINITIONS,
        }
        assert not content_keys & set(attrs)
        return
    body = request_body(interaction)
    if interaction.request.path.endswith(("/chat/completions", "/responses", "/completions")):
        messages = json.loads(str(attrs[sc.GEN_AI_INPUT_MESSAGES]))
        assert messages and all("role" in m and "parts" in m for m in messages)
    ids = [call_id for call_id, _ in recorded.tool_calls if call_id]
    if ids:  # arguments travel only with content capture
        output = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
        calls = [p for m in output for p in m["parts"] if p["type"] == "tool_call"]
        assert [c["id"] for c in calls] == ids
        assert all(c["arguments"] is not None for c in calls)
    if body.get("tools") or body.get("functions"):
        definitions = json.loads(str(attrs[sc.GEN_AI_TOOL_DEFINITIONS]))
        assert {d["name"] for d in definitions} <= {
            (t.get("function") or t).get("name") for t in body.get("tools") or body.get("functions")
        }


async def _replay_cassette(path: Path, capture: SpanCapture, capture_content: bool) -> int:
    capture.instrument(OpenAIInstrumentor(), capture_content=capture_content)
    replayed = 0
    is_async = "async" in path.name
    with ReplayServer(path) as server, sync_client(server.base_url) as client:
        aclient = async_client(server.base_url) if is_async else None
        port = int(server.base_url.rsplit(":", 1)[1])
        for interaction in server.interactions:
            capture.clear()
            raised: BaseException | None = None
            result: Any = None
            chunks: list[Any] | None = None
            try:
                if aclient is not None:
                    result, chunks = await replay_async(aclient, path.name, interaction)
                else:
                    result, chunks = replay_sync(client, path.name, interaction)
            except openai.APIStatusError as exc:
                raised = exc
            span = capture.only_span()
            operation, recorded = _expected(interaction)
            _check_request(span, interaction, operation, port)
            _no_secret_anywhere(span)
            if interaction.response.status >= 400:
                _check_error(span, interaction, raised)
                replayed += 1
                continue
            assert raised is None
            if not _recorded.is_stream(interaction) and recorded.id is not None:
                assert result.id == recorded.id  # the caller got the recorded response
            if recorded.chunks is not None and "context_manager" not in path.name:
                assert chunks is not None and len(chunks) == recorded.chunks
            _check_response(span, recorded, streamed=_recorded.is_stream(interaction))
            _check_content(span, interaction, recorded, capture_content)
            replayed += 1
        if aclient is not None:
            await aclient.close()
        assert server.unused() == []
        assert all(r.matched is not None for r in server.requests)
    return replayed


@pytest.mark.parametrize("path", CASSETTES, ids=[p.stem for p in CASSETTES])
async def test_replay(path: Path, span_capture: SpanCapture) -> None:
    assert await _replay_cassette(path, span_capture, capture_content=False) > 0


@pytest.mark.parametrize("path", CASSETTES, ids=[p.stem for p in CASSETTES])
async def test_replay_with_content(path: Path, span_capture: SpanCapture) -> None:
    assert await _replay_cassette(path, span_capture, capture_content=True) > 0
