"""Replaying Bedrock cassettes through a real boto3 client, and what each recording says the span must hold.

Expected values are read here straight from the recorded bodies and event-stream frames (decoded with
botocore's own frame parser), never through the adapter.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config
from botocore.eventstream import EventStreamBuffer

from huggingplace_sdk.testing import Interaction, decoded_body, load_cassette, recorded_json

ACCESS_KEY_ID = "AKIAHPTESTKEYID00001"
SECRET_ACCESS_KEY = "hp-test-secret-access-key/0123456789abcdef"
SESSION_TOKEN = "hp-test-session-token-FwoGZXIvYXdzEJr"
# Markers of a SigV4 signature: neither may ever reach a span.
SIGNATURE_MARKERS = ("AWS4-HMAC-SHA256", "Signature=", "Credential=")


def client(base_url: str) -> Any:
    """A real bedrock-runtime client with fake credentials, aimed at the replay server, without retries."""
    return boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=base_url,
                        aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY,
                        aws_session_token=SESSION_TOKEN, config=Config(retries={"max_attempts": 1}))


def model_and_action(interaction: Interaction) -> tuple[str, str]:
    """``/model/{modelId}/{action}``: the model id exactly as the caller sent it (path-decoded)."""
    _, _, model, action = interaction.request.path.split("/")
    return unquote(model), action


def call(bedrock: Any, interaction: Interaction) -> dict[str, Any]:
    """Make the recorded call again through ``bedrock``; returns boto3's response dict."""
    model, action = model_and_action(interaction)
    if action == "converse":
        return bedrock.converse(modelId=model, **json.loads(interaction.request.body))  # type: ignore[no-any-return]
    if action == "converse-stream":
        return bedrock.converse_stream(modelId=model, **json.loads(interaction.request.body))  # type: ignore[no-any-return]
    if action == "invoke":
        return bedrock.invoke_model(modelId=model, body=interaction.request.body)  # type: ignore[no-any-return]
    assert action == "invoke-with-response-stream", action
    return bedrock.invoke_model_with_response_stream(modelId=model, body=interaction.request.body)  # type: ignore[no-any-return]


def frames(interaction: Interaction) -> list[tuple[str, dict[str, Any]]]:
    """(event type, decoded payload) of every recorded event-stream frame; invoke chunks are unwrapped."""
    buffer = EventStreamBuffer()
    buffer.add_data(decoded_body(interaction))
    out = []
    for message in buffer:
        payload = json.loads(message.payload)
        if "bytes" in payload:
            payload = json.loads(base64.b64decode(payload["bytes"]))
        out.append((str(message.headers[":event-type"]), payload))
    return out


@dataclass
class Expected:
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read: int | None = None
    cache_write: int | None = None
    finish_reasons: tuple[str, ...] = ()
    response_id: str | None = None
    response_model: str | None = None
    guardrail_action: str | None = None
    text: str | None = None
    tool_call_ids: tuple[str, ...] = ()


def _token_usage_members() -> frozenset[str]:
    """The Converse usage fields this botocore release parses (older ones drop the cache counts)."""
    model = client("http://127.0.0.1:9").meta.service_model
    return frozenset(model.shape_for("TokenUsage").members)


TOKEN_USAGE_MEMBERS = _token_usage_members()


def _converse_usage(usage: dict[str, Any], expected: Expected) -> None:
    # Converse's inputTokens leaves cached tokens out; the conventions count them in.
    known = {k: v for k, v in usage.items() if k in TOKEN_USAGE_MEMBERS}
    read = known.get("cacheReadInputTokens", known.get("cacheReadInputTokenCount"))
    write = known.get("cacheWriteInputTokens", known.get("cacheWriteInputTokenCount"))
    expected.input_tokens = usage["inputTokens"] + (read or 0) + (write or 0)
    expected.output_tokens = usage.get("outputTokens")
    expected.cache_read, expected.cache_write = read, write


def _converse(body: dict[str, Any], guarded: bool) -> Expected:
    expected = Expected(finish_reasons=(body["stopReason"],))
    _converse_usage(body["usage"], expected)
    blocks = body["output"]["message"]["content"]
    expected.text = "".join(b["text"] for b in blocks if "text" in b)
    expected.tool_call_ids = tuple(b["toolUse"]["toolUseId"] for b in blocks if "toolUse" in b)
    if guarded:
        expected.guardrail_action = "INTERVENED" if body["stopReason"] == "guardrail_intervened" else "NONE"
    return expected


def _converse_stream(events: list[tuple[str, dict[str, Any]]], guarded: bool) -> Expected:
    expected = Expected()
    text, ids = [], []
    for kind, payload in events:
        if kind == "contentBlockDelta" and "text" in payload["delta"]:
            text.append(payload["delta"]["text"])
        elif kind == "contentBlockStart" and "toolUse" in payload["start"]:
            ids.append(payload["start"]["toolUse"]["toolUseId"])
        elif kind == "messageStop":
            expected.finish_reasons = (payload["stopReason"],)
        elif kind == "metadata" and "usage" in payload:
            _converse_usage(payload["usage"], expected)
    expected.text, expected.tool_call_ids = "".join(text), tuple(ids)
    if guarded:
        stop = expected.finish_reasons[0]
        expected.guardrail_action = "INTERVENED" if stop == "guardrail_intervened" else "NONE"
    return expected


def _anthropic_message(b: dict[str, Any]) -> Expected:
    usage = b["usage"]
    read, write = usage.get("cache_read_input_tokens"), usage.get("cache_creation_input_tokens")
    return Expected(usage["input_tokens"] + (read or 0) + (write or 0), usage["output_tokens"], read, write,
                    (b["stop_reason"],), b["id"], b["model"], text=b["content"][0]["text"])


def _nova(b: dict[str, Any]) -> Expected:
    usage = b["usage"]
    return Expected(usage["inputTokens"], usage.get("outputTokens"), usage.get("cacheReadInputTokenCount"),
                    usage.get("cacheWriteInputTokenCount"), (b["stopReason"],),
                    guardrail_action=b.get("amazon-bedrock-guardrailAction"),
                    text=b["output"]["message"]["content"][0]["text"])


def _titan(b: dict[str, Any]) -> Expected:
    result = b["results"][0]
    return Expected(b["inputTextTokenCount"], result["tokenCount"], finish_reasons=(result["completionReason"],),
                    guardrail_action=b.get("amazon-bedrock-guardrailAction"), text=result["outputText"])


def _llama(b: dict[str, Any]) -> Expected:
    return Expected(b["prompt_token_count"], b["generation_token_count"], finish_reasons=(b["stop_reason"],),
                    text=b["generation"])


# invoke_model: one reading of the recorded body per family (files named by family).
INVOKE: dict[str, Callable[[dict[str, Any]], Expected]] = {
    # AI21 Jurassic-2 lists the tokens of the prompt and of the completion; no counts as such.
    "test_ai21__test_ai21_j2_completion_string_content": lambda b: Expected(
        len(b["prompt"]["tokens"]), len(b["completions"][0]["data"]["tokens"]),
        finish_reasons=(b["completions"][0]["finishReason"]["reason"],), response_id=str(b["id"]),
        text=b["completions"][0]["data"]["text"]),
    # Claude 2 text completions carry no token counts in the body (Bedrock sends them as headers only).
    "test_anthropic__test_anthropic_2_completion": lambda b: Expected(
        finish_reasons=(b["stop_reason"],), text=b["completion"]),
    "test_anthropic__test_anthropic_3_completion_complex_content": _anthropic_message,
    "test_anthropic__test_anthropic_3_completion_string_content": _anthropic_message,
    "test_anthropic__test_prompt_cache": _anthropic_message,
    # Cohere Command: no counts in the body either.
    "test_cohere__test_cohere_completion": lambda b: Expected(
        finish_reasons=(b["generations"][0]["finish_reason"],), response_id=b["id"],
        text=b["generations"][0]["text"]),
    "test_guardrails__test_guardrail_invoke": _titan,
    # A model imported through SageMaker answering in the OpenAI completions shape.
    "test_imported_model__test_imported_model_completion": lambda b: Expected(
        b["usage"]["prompt_tokens"], b["usage"]["completion_tokens"],
        finish_reasons=(b["choices"][0]["finish_reason"],), response_model=b["model"], text=b["choices"][0]["text"]),
    "test_meta__test_meta_llama2_completion_string_content": _llama,
    "test_meta__test_meta_llama3_completion": _llama,
    "test_nova__test_nova_completion": _nova,
    "test_nova__test_nova_cross_region_invoke": _nova,
    "test_titan__test_titan_completion": _titan,
}


def _anthropic_stream(chunks: list[dict[str, Any]]) -> Expected:
    start = next(c for c in chunks if c["type"] == "message_start")["message"]
    delta = next(c for c in chunks if c["type"] == "message_delta")
    return Expected(start["usage"]["input_tokens"], delta["usage"]["output_tokens"],
                    finish_reasons=(delta["delta"]["stop_reason"],), response_id=start["id"],
                    response_model=start["model"],
                    text="".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta"))


def _titan_stream(chunks: list[dict[str, Any]]) -> Expected:
    last = chunks[-1]
    reasons = tuple(c["completionReason"] for c in chunks if c.get("completionReason"))
    return Expected(int(chunks[0]["inputTextTokenCount"]), int(last["totalOutputTextTokenCount"]),
                    finish_reasons=reasons[-1:], guardrail_action=last.get("amazon-bedrock-guardrailAction"),
                    text="".join(c["outputText"] for c in chunks))


def _nova_stream(chunks: list[dict[str, Any]]) -> Expected:
    usage = next(c for c in chunks if "metadata" in c)["metadata"]["usage"]
    stop = next(c for c in chunks if "messageStop" in c)["messageStop"]["stopReason"]
    actions = [c["amazon-bedrock-guardrailAction"] for c in chunks if "amazon-bedrock-guardrailAction" in c]
    return Expected(usage["inputTokens"], usage["outputTokens"], usage["cacheReadInputTokenCount"],
                    usage["cacheWriteInputTokenCount"], (stop,), guardrail_action=actions[-1] if actions else None,
                    text="".join(c["contentBlockDelta"]["delta"]["text"] for c in chunks if "contentBlockDelta" in c))


INVOKE_STREAM: dict[str, Callable[[list[dict[str, Any]]], Expected]] = {
    "test_anthropic__test_anthropic_3_completion_streaming": _anthropic_stream,
    "test_guardrails__test_guardrail_invoke_stream": _titan_stream,
    "test_nova__test_nova_invoke_stream": _nova_stream,
    "test_titan__test_titan_invoke_stream": _titan_stream,
}


def expected_for(cassette: Path, interaction: Interaction) -> Expected:
    _, action = model_and_action(interaction)
    request = json.loads(interaction.request.body)
    guarded = "guardrailConfig" in request
    if action == "converse":
        return _converse(recorded_json(interaction), guarded)
    if action == "converse-stream":
        return _converse_stream(frames(interaction), guarded)
    if action == "invoke":
        return INVOKE[cassette.stem](recorded_json(interaction))
    return INVOKE_STREAM[cassette.stem]([payload for _, payload in frames(interaction)])


def interactions(cassette: Path) -> list[Interaction]:
    return load_cassette(cassette)


# Request parameters per family: (where they sit in the body, their names there) -> conventions' names.
_MAX, _TEMP, _TOP_P, _TOP_K, _STOP = ("gen_ai.request.max_tokens", "gen_ai.request.temperature",
                                      "gen_ai.request.top_p", "gen_ai.request.top_k", "gen_ai.request.stop_sequences")
_REQUEST_NAMES: dict[str, tuple[str | None, dict[str, str]]] = {
    "ai21": (None, {"maxTokens": _MAX, "temperature": _TEMP, "topP": _TOP_P}),
    "anthropic": (None, {"max_tokens": _MAX, "max_tokens_to_sample": _MAX, "temperature": _TEMP, "top_p": _TOP_P,
                         "top_k": _TOP_K, "stop_sequences": _STOP}),
    "cohere": (None, {"max_tokens": _MAX, "temperature": _TEMP, "p": _TOP_P}),
    "imported": (None, {"max_tokens": _MAX, "temperature": _TEMP, "topP": _TOP_P}),
    "meta": (None, {"max_gen_len": _MAX, "temperature": _TEMP, "top_p": _TOP_P}),
    "titan": ("textGenerationConfig", {"maxTokenCount": _MAX, "temperature": _TEMP, "topP": _TOP_P}),
    "nova": ("inferenceConfig", {"maxTokens": _MAX, "temperature": _TEMP, "topP": _TOP_P, "topK": _TOP_K}),
}


def expected_request(interaction: Interaction) -> dict[str, Any]:
    """The request attributes the recorded call's parameters give, read from its body."""
    _, action = model_and_action(interaction)
    body = json.loads(interaction.request.body)
    if action.startswith("converse"):
        where: str | None = "inferenceConfig"
        names = {"maxTokens": _MAX, "temperature": _TEMP, "topP": _TOP_P, "stopSequences": _STOP}
        extra = body.get("additionalModelRequestFields") or {}
        top_k = extra.get("top_k", (extra.get("inferenceConfig") or {}).get("topK"))
        found = {_TOP_K: top_k} if top_k is not None else {}
    else:
        family = "titan" if "textGenerationConfig" in body else "nova" if "inferenceConfig" in body else (
            "imported" if "sagemaker" in model_and_action(interaction)[0] else model_and_action(interaction)[0]
            .split(".")[0])
        where, names = _REQUEST_NAMES[family]
        found = {}
    values = body.get(where, {}) if where else body
    found.update({names[key]: tuple(v) if isinstance(v, list) else v for key, v in values.items() if key in names})
    return found


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream frame (string headers only), as AWS frames them: lengths, then CRC32s."""
    encoded = b"".join(struct.pack(">B", len(k)) + k.encode() + b"\x07" + struct.pack(">H", len(v)) + v.encode()
                       for k, v in headers.items())
    total = 16 + len(encoded) + len(payload)
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", binascii.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack(">I", binascii.crc32(message))
