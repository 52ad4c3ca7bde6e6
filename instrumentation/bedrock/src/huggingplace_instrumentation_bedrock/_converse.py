"""The Converse API (``converse`` / ``converse_stream``): one wire shape for every model family.

Nova's ``invoke_model`` body uses the same shapes (``output.message``, ``stopReason``, ``usage``, and in
streams the same event names), so its reading lives here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Recorder

from . import _usage

GUARDRAIL_INTERVENED = "guardrail_intervened"  # Converse's stopReason when a guardrail acted
ACTION_INTERVENED = "INTERVENED"
ACTION_NONE = "NONE"

_INFERENCE_CONFIG = (
    ("maxTokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("topP", sc.GEN_AI_REQUEST_TOP_P),
)


def inference_attributes(config: Any, attributes: dict[str, AttributeValue]) -> None:
    """``inferenceConfig`` (Converse, Nova invoke) into request attributes."""
    if not isinstance(config, Mapping):
        return
    for key, name in _INFERENCE_CONFIG:
        value = config.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attributes[name] = value
    top_k = config.get("topK")
    if isinstance(top_k, (int, float)) and not isinstance(top_k, bool):
        attributes[sc.GEN_AI_REQUEST_TOP_K] = top_k
    stop = config.get("stopSequences")
    if isinstance(stop, list) and stop:
        attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = [str(s) for s in stop]


def request_attributes(params: Mapping[str, Any]) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {}
    inference_attributes(params.get("inferenceConfig"), attributes)
    extra = params.get("additionalModelRequestFields")
    if isinstance(extra, Mapping):  # model-specific fields: Anthropic's top_k, Nova's inferenceConfig.topK
        nested = extra.get("inferenceConfig")
        top_k = extra.get("top_k", nested.get("topK") if isinstance(nested, Mapping) else None)
        if isinstance(top_k, (int, float)) and not isinstance(top_k, bool):
            attributes[sc.GEN_AI_REQUEST_TOP_K] = top_k
    guardrail = params.get("guardrailConfig")
    if isinstance(guardrail, Mapping):
        guardrail_id, version = guardrail.get("guardrailIdentifier"), guardrail.get("guardrailVersion")
        if guardrail_id:
            attributes[sc.AWS_BEDROCK_GUARDRAIL_ID] = str(guardrail_id)
        if version:
            attributes[sc.AWS_BEDROCK_GUARDRAIL_VERSION] = str(version)
    return attributes


def read_usage(usage: Any, recorder: Recorder, carrier: str = sc.USAGE_CARRIER_BODY) -> bool:
    """Converse usage: ``inputTokens`` excludes cached tokens (read or written), so they are added back."""
    if not isinstance(usage, Mapping):
        return False
    cache_read = _usage.first_int(usage, "cacheReadInputTokens", "cacheReadInputTokenCount")
    cache_write = _usage.first_int(usage, "cacheWriteInputTokens", "cacheWriteInputTokenCount")
    return _usage.record(recorder, usage.get("inputTokens"), usage.get("outputTokens"), cache_read, cache_write,
                         carrier)


def read_message(message: Any, recorder: Recorder) -> None:
    """Output message content blocks: text and reasoning (content capture only), tool calls (ids always)."""
    if not isinstance(message, Mapping):
        return
    content = message.get("content")
    if not isinstance(content, list):
        return
    capture = recorder.capture_content
    if capture and message.get("role"):
        recorder.set_role(0, str(message["role"]))
    call_index = 0
    for block in content:
        if not isinstance(block, Mapping):
            continue
        if "toolUse" in block:
            use = block["toolUse"] or {}
            arguments = _usage.json_text(use.get("input")) if capture else None
            recorder.add_tool_call(0, call_index, id=use.get("toolUseId"), name=use.get("name"), arguments=arguments)
            call_index += 1
        elif capture and "text" in block:
            recorder.add_text(0, str(block["text"]))
        elif capture and "reasoningContent" in block:
            reasoning = (block["reasoningContent"] or {}).get("reasoningText") or {}
            if isinstance(reasoning, Mapping) and reasoning.get("text"):
                recorder.add_text(0, str(reasoning["text"]), kind="reasoning")


def read_response(response: Mapping[str, Any], recorder: Recorder, guarded: bool) -> None:
    """A Converse response, or a Nova invoke body; ``guarded``: the request named a guardrail."""
    output = response.get("output")
    if isinstance(output, Mapping):
        read_message(output.get("message"), recorder)
    stop = response.get("stopReason")
    if isinstance(stop, str):
        recorder.set_finish_reason(0, stop)
        if guarded or stop == GUARDRAIL_INTERVENED:
            recorder.set_attribute(sc.AWS_BEDROCK_GUARDRAIL_ACTION,
                                   ACTION_INTERVENED if stop == GUARDRAIL_INTERVENED else ACTION_NONE)
    read_usage(response.get("usage"), recorder)


class StreamState:
    """Per stream: which content blocks are tool calls (their deltas carry arguments) and usage seen."""

    __slots__ = ("guarded", "tool_blocks", "usage_seen")

    def __init__(self, guarded: bool) -> None:
        self.guarded = guarded
        self.tool_blocks: dict[int, int] | None = None  # content block index -> tool call index
        self.usage_seen = False


def read_event(event: Mapping[str, Any], recorder: Recorder, state: StreamState) -> None:
    """One ConverseStream event (or Nova invoke-stream chunk): O(1), dispatching on its single key."""
    delta_event = event.get("contentBlockDelta")
    if delta_event is not None:
        delta = delta_event.get("delta") or {}
        if "toolUse" in delta:
            blocks = state.tool_blocks
            call = blocks.get(delta_event.get("contentBlockIndex", 0)) if blocks else None
            if call is not None and recorder.capture_content:
                recorder.add_tool_call(0, call, arguments=(delta["toolUse"] or {}).get("input"))
        elif recorder.capture_content:
            if "text" in delta:
                recorder.add_text(0, str(delta["text"]))
            elif "reasoningContent" in delta:
                text = (delta["reasoningContent"] or {}).get("text")
                if text:
                    recorder.add_text(0, str(text), kind="reasoning")
        return
    start = event.get("contentBlockStart")
    if start is not None:
        use = (start.get("start") or {}).get("toolUse")
        if isinstance(use, Mapping):
            if state.tool_blocks is None:
                state.tool_blocks = {}
            call = state.tool_blocks[start.get("contentBlockIndex", 0)] = len(state.tool_blocks)
            recorder.add_tool_call(0, call, id=use.get("toolUseId"), name=use.get("name"))
        return
    stop = event.get("messageStop")
    if stop is not None:
        reason = stop.get("stopReason")
        if isinstance(reason, str):
            recorder.set_finish_reason(0, reason)
            if state.guarded or reason == GUARDRAIL_INTERVENED:
                recorder.set_attribute(sc.AWS_BEDROCK_GUARDRAIL_ACTION,
                                       ACTION_INTERVENED if reason == GUARDRAIL_INTERVENED else ACTION_NONE)
        return
    metadata = event.get("metadata")
    if metadata is not None:
        if read_usage(metadata.get("usage"), recorder):
            state.usage_seen = True
        return
    begin = event.get("messageStart")
    if begin is not None and recorder.capture_content and begin.get("role"):
        recorder.set_role(0, str(begin["role"]))
