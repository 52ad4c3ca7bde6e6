"""Every recorded Bedrock interaction replayed through a real boto3 client, content capture off and on."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.eventstream import EventStream
from botocore.response import StreamingBody
from huggingplace_instrumentation_bedrock import BedrockInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    CASSETTES_DIR,
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_paths,
    decoded_body,
)

from ._recorded import (
    ACCESS_KEY_ID,
    INVOKE,
    INVOKE_STREAM,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    SIGNATURE_MARKERS,
    call,
    client,
    expected_for,
    expected_request,
    frames,
    interactions,
    model_and_action,
)

CASSETTES = cassette_paths("bedrock")
SECRETS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, *SIGNATURE_MARKERS)


def test_no_cassette_is_left_out() -> None:
    """Every file is replayed below (they are parametrized from the folder); every invoke one has its reading."""
    on_disk = {p.stem for p in (CASSETTES_DIR / "bedrock").glob("*.yaml")}
    assert on_disk == {p.stem for p in CASSETTES}
    invoke = {p.stem for p in CASSETTES
              if any(model_and_action(i)[1] == "invoke" for i in interactions(p))}
    streamed = {p.stem for p in CASSETTES
                if any(model_and_action(i)[1] == "invoke-with-response-stream" for i in interactions(p))}
    assert invoke == set(INVOKE) and streamed == set(INVOKE_STREAM)


def _consume(result: dict[str, Any], interaction: Any) -> None:
    """Read the result as a caller would and check it is exactly what was recorded, in boto3's own types."""
    _, action = model_and_action(interaction)
    if action == "invoke":
        assert type(result["body"]) is StreamingBody
        assert result["body"].read() == decoded_body(interaction)
    elif action in ("converse-stream", "invoke-with-response-stream"):
        stream = result["stream" if action == "converse-stream" else "body"]
        assert type(stream) is EventStream
        events = list(stream)
        recorded = frames(interaction)
        assert len(events) == len(recorded)
        for event, (kind, payload) in zip(events, recorded, strict=True):
            if action == "converse-stream":
                assert list(event) == [kind]
            else:
                assert json.loads(event["chunk"]["bytes"]) == payload


@pytest.mark.parametrize("capture_content", [False, True], ids=["content_off", "content_on"])
@pytest.mark.parametrize("cassette", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_replay(cassette: Path, capture_content: bool, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor(), capture_content=capture_content)
    with ReplayServer(cassette) as server:
        bedrock = client(server.base_url)
        recorded = interactions(cassette)
        for interaction in recorded:
            _consume(call(bedrock, interaction), interaction)
        assert server.unused() == []
        assert all(ACCESS_KEY_ID in r.headers["authorization"] for r in server.requests)  # credentials were sent
    spans = span_capture.spans()
    assert len(spans) == len(recorded)
    for span, interaction in zip(spans, recorded, strict=True):
        _check_span(span, cassette, interaction, capture_content)
    assert_no_secret_in_spans(spans, SECRETS)


def _check_span(span: Any, cassette: Path, interaction: Any, capture_content: bool) -> None:
    model, action = model_and_action(interaction)
    expected = expected_for(cassette, interaction)
    attrs = dict(span.attributes or {})
    assert span.kind.name == "CLIENT"
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "aws.bedrock"
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == model  # ARNs, inference profiles and region prefixes as sent
    assert span.name.endswith(" " + model)
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is action.endswith("stream")
    assert attrs.get(sc.GEN_AI_USAGE_INPUT_TOKENS) == expected.input_tokens
    assert attrs.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS) == expected.output_tokens
    assert attrs.get(sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) == expected.cache_read
    assert attrs.get(sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS) == expected.cache_write
    has_usage = expected.input_tokens is not None or expected.output_tokens is not None
    assert attrs[sc.HP_USAGE_SOURCE] == ("provider" if has_usage else "absent")  # never invented
    assert attrs.get(sc.HP_USAGE_CARRIER) == ("body" if has_usage else None)
    assert tuple(attrs.get(sc.GEN_AI_RESPONSE_FINISH_REASONS, ())) == expected.finish_reasons
    assert attrs.get(sc.GEN_AI_RESPONSE_ID) == expected.response_id
    assert attrs.get(sc.GEN_AI_RESPONSE_MODEL) == expected.response_model
    assert attrs.get(sc.AWS_BEDROCK_GUARDRAIL_ACTION) == expected.guardrail_action
    assert tuple(attrs.get(sc.HP_TOOL_CALL_IDS, ())) == expected.tool_call_ids
    request = json.loads(interaction.request.body)
    asked = {k: v for k, v in attrs.items() if k.startswith("gen_ai.request.") and k not in (
        sc.GEN_AI_REQUEST_MODEL, sc.GEN_AI_REQUEST_STREAM)}
    assert asked == expected_request(interaction)
    guardrail = request.get("guardrailConfig") or {}
    assert attrs.get(sc.AWS_BEDROCK_GUARDRAIL_ID) == guardrail.get("guardrailIdentifier")
    if action.endswith("stream"):
        assert attrs[sc.HP_STREAM_OUTCOME] == "completed"
        assert attrs[sc.HP_STREAM_CHUNKS] == len(frames(interaction))
    if not capture_content:
        assert not any(key in attrs for key in (sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES,
                                                sc.GEN_AI_SYSTEM_INSTRUCTIONS, sc.GEN_AI_TOOL_DEFINITIONS))
        return
    output = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    texts = [part["content"] for part in output[0]["parts"] if part["type"] == "text"]
    assert "".join(texts) == expected.text
    inputs = json.loads(str(attrs[sc.GEN_AI_INPUT_MESSAGES]))
    assert inputs and inputs[-1]["role"] == "user"
    first_text = next(p["content"] for m in inputs for p in m["parts"] if p["type"] == "text")
    assert first_text in interaction.request.body.decode() or json.dumps(first_text)[1:-1] in (
        interaction.request.body.decode())
    if "system" in request:
        assert sc.GEN_AI_SYSTEM_INSTRUCTIONS in attrs


def test_streamed_invoke_chunks_are_the_recorded_bytes(span_capture: SpanCapture) -> None:
    """The caller's chunk bytes are exactly the recorded (base64-wrapped) ones, not re-encoded."""
    span_capture.instrument(BedrockInstrumentor())
    cassette = next(p for p in CASSETTES if p.stem == "test_anthropic__test_anthropic_3_completion_streaming")
    (interaction,) = interactions(cassette)
    with ReplayServer(cassette) as server:
        stream = call(client(server.base_url), interaction)["body"]
        got = [event["chunk"]["bytes"] for event in stream]
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(decoded_body(interaction))
    assert got == [base64.b64decode(json.loads(m.payload)["bytes"]) for m in buffer]
