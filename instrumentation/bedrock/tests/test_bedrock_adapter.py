"""Packaging, the public surface, and the adapter's behaviour around the recorded calls: token-count headers,
other AWS services, suppression, session / step roll-up, failures passing through unchanged."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import boto3
import huggingplace_instrumentation_bedrock as adapter
import pytest
import yaml
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, IncompleteReadError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from huggingplace_instrumentation_bedrock import BedrockInstrumentor
from opentelemetry import context as otel_context
from urllib3 import HTTPResponse

import huggingplace_sdk as hp
from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ReplayServer,
    SpanCapture,
    assert_no_secret_in_spans,
    cassette_path,
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
    recorded_json,
)

from ._recorded import (
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    SIGNATURE_MARKERS,
    call,
    client,
    encode_frame,
    frames,
    interactions,
)

CONVERSE = cassette_path("bedrock", "test_meta__test_meta_converse")
COHERE = cassette_path("bedrock", "test_cohere__test_cohere_completion")


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "BedrockInstrumentor"]
    assert adapter.BedrockInstrumentor.provider == "aws.bedrock"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.BedrockInstrumentor,
                               distribution="huggingplace-instrumentation-bedrock", entry_point="bedrock",
                               instruments=("boto3 >= 1.35, < 2",))


def test_instrument_is_idempotent_and_reversible() -> None:
    check_instrument_idempotent_and_reversible(BedrockInstrumentor, "botocore.client", "BaseClient._make_api_call")


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(BedrockInstrumentor, "botocore.client", "BaseClient._make_api_call",
                                         ["botocore.client"])


def _with_token_headers(tmp_path: Path, input_count: str, output_count: str) -> Path:
    """The Cohere recording (its body has no counts) with the count and request-id headers Bedrock sends on
    invoke_model, which the recorder stripped."""
    data = yaml.safe_load(COHERE.read_text())
    headers = data["interactions"][0]["response"]["headers"]
    headers["X-Amzn-Bedrock-Input-Token-Count"] = [input_count]
    headers["X-Amzn-Bedrock-Output-Token-Count"] = [output_count]
    headers["x-amzn-RequestId"] = ["4f2a9c1e-hp-test-request-id"]
    path = tmp_path / COHERE.name
    path.write_text(yaml.safe_dump(data))
    return path


def test_token_counts_from_headers_when_the_body_has_none(tmp_path: Path, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    cassette = _with_token_headers(tmp_path, "9", "57")
    with ReplayServer(cassette) as server:
        (interaction,) = server.interactions
        call(client(server.base_url), interaction)["body"].read()
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == int(interaction.response.header("x-amzn-bedrock-input-token-count")
                                                      or "")
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == 57
    assert attrs[sc.HP_USAGE_SOURCE] == "provider"
    assert attrs[sc.HP_USAGE_CARRIER] == "headers"
    assert attrs[sc.AWS_REQUEST_ID] == interaction.response.header("x-amzn-requestid")


def test_body_counts_win_over_headers(tmp_path: Path, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    source = cassette_path("bedrock", "test_meta__test_meta_llama3_completion")
    data = yaml.safe_load(source.read_text())
    data["interactions"][0]["response"]["headers"]["X-Amzn-Bedrock-Input-Token-Count"] = ["999"]
    cassette = tmp_path / source.name
    cassette.write_text(yaml.safe_dump(data))
    with ReplayServer(cassette) as server:
        (interaction,) = server.interactions
        call(client(server.base_url), interaction)["body"].read()
    attrs = span_capture.only_span().attributes or {}
    body = recorded_json(interaction)
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == body["prompt_token_count"]  # counted once, from one carrier
    assert attrs[sc.HP_USAGE_CARRIER] == "body"


def test_other_services_and_operations_pass_through_untraced(span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=ACCESS_KEY_ID,
                      aws_secret_access_key=SECRET_ACCESS_KEY)
    with Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": []})
        assert s3.list_buckets()["Buckets"] == []
    bedrock = client("http://127.0.0.1:9")
    with Stubber(bedrock) as stub:
        stub.add_response("list_async_invokes", {"asyncInvokeSummaries": []})
        bedrock.list_async_invokes()
    assert span_capture.spans() == []


def test_suppressed_calls_give_no_span(span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    token = otel_context.attach(otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True))
    try:
        with ReplayServer(CONVERSE) as server:
            (interaction,) = server.interactions
            call(client(server.base_url), interaction)
    finally:
        otel_context.detach(token)
    assert span_capture.spans() == []


def test_session_and_step_roll_up(span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    with ReplayServer(CONVERSE) as server:
        (interaction,) = server.interactions
        with hp.session("session-42", user_id="user-7"), hp.trace_step("answer"):
            call(client(server.base_url), interaction)
    usage = recorded_json(interaction)["usage"]
    llm = span_capture.only_span(f"chat {interaction.request.path.split('/')[2].replace('%3A', ':')}")
    step = span_capture.only_span("answer")
    assert llm.parent is not None and llm.parent.span_id == step.context.span_id
    assert (llm.attributes or {})[sc.SESSION_ID] == "session-42"
    step_attrs = step.attributes or {}
    assert step_attrs[sc.HP_STEP_USAGE_INPUT] == usage["inputTokens"]
    assert step_attrs[sc.HP_STEP_USAGE_OUTPUT] == usage["outputTokens"]
    assert step_attrs[sc.HP_STEP_LLM_CALLS] == 1


def test_a_failed_call_raises_unchanged_and_records_no_credential(span_capture: SpanCapture) -> None:
    """An unrecorded request gets the replay server's 599: botocore's own ClientError reaches the caller."""
    span_capture.instrument(BedrockInstrumentor())
    with ReplayServer(CONVERSE) as server:
        bedrock = client(server.base_url)
        with pytest.raises(ClientError) as raised:
            bedrock.converse(modelId="not-recorded", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    assert type(raised.value) is ClientError
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.ERROR_TYPE] == "botocore.exceptions.ClientError"
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == "not-recorded"
    assert_no_secret_in_spans(span_capture.spans(), (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN,
                                                     *SIGNATURE_MARKERS))


def test_uninstrumented_client_is_untouched(span_capture: SpanCapture) -> None:
    instrumentor = BedrockInstrumentor()
    span_capture.instrument(instrumentor)
    instrumentor.uninstrument()
    with ReplayServer(CONVERSE) as server:
        (interaction,) = server.interactions
        result: Any = call(client(server.base_url), interaction)
    assert result["stopReason"] == recorded_json(interaction)["stopReason"]
    assert span_capture.spans() == []


def test_unreadable_body_fails_the_span_and_the_callers_read(span_capture: SpanCapture) -> None:
    """A body cut short raises at the caller's own read(), as without instrumentation; the span has the error."""
    span_capture.instrument(BedrockInstrumentor())
    source = cassette_path("bedrock", "test_titan__test_titan_completion")
    (interaction,) = interactions(source)
    bedrock = client("https://bedrock-runtime.us-east-1.amazonaws.com")
    truncated = StreamingBody(io.BytesIO(b'{"inputTextTokenCount":'), 500)
    with Stubber(bedrock) as stub:
        stub.add_response("invoke_model", {"body": truncated, "contentType": "application/json"})
        result = bedrock.invoke_model(modelId="amazon.titan-text-express-v1", body=interaction.request.body)
    assert type(result["body"]) is StreamingBody
    with pytest.raises(IncompleteReadError):
        result["body"].read()
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.ERROR_TYPE] == "botocore.exceptions.IncompleteReadError"



def test_instrument_by_name_with_content_redacted(span_capture: SpanCapture) -> None:
    """``instrument(["bedrock"])`` as users call it; the engine's redaction sees Bedrock's messages too."""
    seen: list[str] = []

    def redact(kind: str, value: Any) -> Any:
        seen.append(kind)
        return [{**message, "parts": [{"type": "text", "content": "[redacted]"}]} for message in value] \
            if kind in ("input_messages", "output_messages") else value

    with ReplayServer(CONVERSE) as server, span_capture.instrumented_by_name("bedrock", capture_content=True,
                                                                             redact=redact):
        (interaction,) = server.interactions
        result = call(client(server.base_url), interaction)
    attrs = span_capture.only_span().attributes or {}
    recorded_text = recorded_json(interaction)["output"]["message"]["content"][0]["text"]
    assert result["output"]["message"]["content"][0]["text"] == recorded_text  # the caller's data is untouched
    assert {"input_messages", "output_messages", "system_instructions"} <= set(seen)
    assert recorded_text not in str(attrs)
    assert "[redacted]" in str(attrs[sc.GEN_AI_OUTPUT_MESSAGES])


def test_a_bedrock_api_key_never_reaches_a_span(monkeypatch: pytest.MonkeyPatch, span_capture: SpanCapture) -> None:
    """Bedrock API keys travel as ``Authorization: Bearer`` (botocore reads AWS_BEARER_TOKEN_BEDROCK), over
    HTTPS only: botocore's own ``before-send`` event answers here with the recording, in-process."""
    api_key = "ABSKQmVkcm9ja0FQSUtleS1ocC10ZXN0LWtleS0wMDAx"
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", api_key)
    span_capture.instrument(BedrockInstrumentor(), capture_content=True)
    (interaction,) = interactions(CONVERSE)
    sent: list[str] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        value = request.headers.get("Authorization")
        sent.append(value.decode() if isinstance(value, bytes) else str(value))
        recorded = interaction.response.body if "/converse" in request.url and "not-recorded" not in request.url \
            else b'{"message":"The provided model identifier is invalid."}'
        status = 200 if recorded is interaction.response.body else 400
        headers = {"content-type": "application/json", "x-amzn-errortype": "ValidationException"}
        raw = HTTPResponse(body=io.BytesIO(recorded), headers=headers, status=status, preload_content=False)
        return AWSResponse(request.url, status, headers, raw)

    bedrock = client("https://bedrock-runtime.us-east-1.amazonaws.com")
    bedrock.meta.events.register("before-send.bedrock-runtime.*", answer)
    call(bedrock, interaction)
    with pytest.raises(ClientError):
        bedrock.converse(modelId="not-recorded", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    if not any(api_key in header for header in sent):
        pytest.skip("this botocore release does not send Bedrock API keys")
    assert assert_no_secret_in_spans(span_capture.spans(), (api_key,)) == 2


def test_stream_counts_from_bedrocks_invocation_metrics_when_the_model_gave_none(
        tmp_path: Path, span_capture: SpanCapture) -> None:
    """The Nova stream recording without its model-level usage: only Bedrock's invocationMetrics remain."""
    span_capture.instrument(BedrockInstrumentor())
    source = cassette_path("bedrock", "test_nova__test_nova_invoke_stream")
    data = yaml.safe_load(source.read_text())
    response = data["interactions"][0]["response"]
    (interaction,) = interactions(source)
    chunks = [payload for _, payload in frames(interaction)]
    body = b""
    for chunk in chunks:
        chunk.get("metadata", {}).pop("usage", None)
        wrapped = json.dumps({"bytes": base64.b64encode(json.dumps(chunk).encode()).decode()}).encode()
        body += encode_frame({":event-type": "chunk", ":content-type": "application/json",
                              ":message-type": "event"}, wrapped)
    response["body"]["string"] = body
    cassette = tmp_path / source.name
    cassette.write_text(yaml.safe_dump(data))
    with ReplayServer(cassette) as server:
        assert sum(1 for _ in call(client(server.base_url), interaction)["body"]) == len(chunks)
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == metrics["inputTokenCount"]
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == metrics["outputTokenCount"]
    assert attrs[sc.HP_USAGE_CARRIER] == "invocation_metrics"


@pytest.mark.parametrize("name", ["test_meta__test_meta_converse", "test_meta__test_meta_converse_stream"])
def test_the_aws_request_id_is_recorded(name: str, tmp_path: Path, span_capture: SpanCapture) -> None:
    """Converse responses carry no response id: the AWS request id (stripped by the recorder) stands for it."""
    span_capture.instrument(BedrockInstrumentor())
    source = cassette_path("bedrock", name)
    data = yaml.safe_load(source.read_text())
    data["interactions"][0]["response"]["headers"]["x-amzn-RequestId"] = ["0c1d2e3f-hp-test-request-id"]
    cassette = tmp_path / source.name
    cassette.write_text(yaml.safe_dump(data))
    with ReplayServer(cassette) as server:
        (interaction,) = server.interactions
        result = call(client(server.base_url), interaction)
        for _ in result.get("stream", ()):
            pass
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.AWS_REQUEST_ID] == interaction.response.header("x-amzn-requestid")


# Families without a recording: bodies in the shapes their Bedrock model cards document, answered in-process.
UNRECORDED_FAMILIES = {
    "mistral.mistral-7b-instruct-v0:2": (
        {"prompt": "<s>[INST] Say hi [/INST]", "max_tokens": 20, "temperature": 0.3},
        {"outputs": [{"text": "Hi!", "stop_reason": "stop"}]}),
    "cohere.command-r-v1:0": (
        {"message": "Say hi", "max_tokens": 20, "p": 0.5},
        {"response_id": "r-1", "text": "Hi!", "generation_id": "g-1", "finish_reason": "COMPLETE"}),
    "ai21.jamba-1-5-mini-v1:0": (
        {"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 20, "top_p": 0.9},
        {"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"},
                                          "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}}),
}


@pytest.mark.parametrize("model", sorted(UNRECORDED_FAMILIES))
def test_families_without_a_recording(model: str, span_capture: SpanCapture) -> None:
    request, answer_body = UNRECORDED_FAMILIES[model]
    span_capture.instrument(BedrockInstrumentor(), capture_content=True)
    payload = json.dumps(answer_body).encode()

    def answer(request: Any, **_: Any) -> AWSResponse:
        headers = {"content-type": "application/json"}
        raw = HTTPResponse(body=io.BytesIO(payload), headers=headers, status=200, preload_content=False)
        return AWSResponse(request.url, 200, headers, raw)

    bedrock = client("https://bedrock-runtime.us-east-1.amazonaws.com")
    bedrock.meta.events.register("before-send.bedrock-runtime.*", answer)
    assert bedrock.invoke_model(modelId=model, body=json.dumps(request))["body"].read() == payload
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_REQUEST_MAX_TOKENS] == request["max_tokens"]
    output = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    assert output[0]["parts"] == [{"type": "text", "content": "Hi!"}]
    reasons = [c.get("finish_reason", c.get("stop_reason")) for c in answer_body.get("choices") or
               answer_body.get("outputs") or [answer_body]]
    assert list(attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS]) == reasons  # type: ignore[arg-type]
    usage = answer_body.get("usage") or {}
    assert attrs.get(sc.GEN_AI_USAGE_INPUT_TOKENS) == usage.get("prompt_tokens")
    assert attrs[sc.HP_USAGE_SOURCE] == ("provider" if usage else "absent")
    inputs = json.loads(str(attrs[sc.GEN_AI_INPUT_MESSAGES]))
    assert inputs[-1]["parts"][0]["content"] in json.dumps(request)
