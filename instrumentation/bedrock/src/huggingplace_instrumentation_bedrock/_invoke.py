"""``invoke_model`` / ``invoke_model_with_response_stream``: bodies read per model family.

The family is told by the body's shape, not by the model id: ids may be inference-profile, imported-model
or SageMaker ARNs that name no family. Families sharing a shape share the reader (OpenAI-style ``choices``:
AI21 Jamba, Mistral chat, imported models; Converse-style: Nova).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Message, Recorder, items_of

from . import _content, _converse, _usage
from ._converse import StreamState

GUARDRAIL_ACTION = "amazon-bedrock-guardrailAction"

# (body keys tried in order, attribute); ``textGenerationConfig`` (Titan) is read the same way.
_REQUEST_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("max_tokens", "max_tokens_to_sample", "maxTokens", "max_gen_len", "max_new_tokens", "maxTokenCount"),
     sc.GEN_AI_REQUEST_MAX_TOKENS),
    (("temperature",), sc.GEN_AI_REQUEST_TEMPERATURE),
    (("top_p", "topP", "p"), sc.GEN_AI_REQUEST_TOP_P),
    (("top_k", "topK", "k"), sc.GEN_AI_REQUEST_TOP_K),
)
_STOP_FIELDS = ("stop_sequences", "stopSequences", "stop")


def parse_body(body: Any) -> Mapping[str, Any] | None:
    """The JSON request body when it was given as bytes or text (a file object is never read)."""
    if isinstance(body, (bytes, bytearray, str)):
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


def operation_of(model_id: str, body: Mapping[str, Any] | None) -> str:
    if "embed" in model_id.lower():
        return sc.OP_EMBEDDINGS
    if body is not None and "messages" in body:
        return sc.OP_CHAT
    return sc.OP_TEXT_COMPLETION


def _put_fields(values: Mapping[str, Any], attributes: dict[str, AttributeValue]) -> None:
    for keys, name in _REQUEST_FIELDS:
        for key in keys:
            value = values.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                attributes[name] = value
                break
    for key in _STOP_FIELDS:
        stop = values.get(key)
        if isinstance(stop, list) and stop:
            attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = [str(s) for s in stop]
            break


def request_attributes(params: Mapping[str, Any], body: Mapping[str, Any] | None) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {}
    if body is not None:
        _put_fields(body, attributes)
        titan = body.get("textGenerationConfig")
        if isinstance(titan, Mapping):
            _put_fields(titan, attributes)
        _converse.inference_attributes(body.get("inferenceConfig"), attributes)  # Nova
    guardrail_id, version = params.get("guardrailIdentifier"), params.get("guardrailVersion")
    if guardrail_id:
        attributes[sc.AWS_BEDROCK_GUARDRAIL_ID] = str(guardrail_id)
    if version:
        attributes[sc.AWS_BEDROCK_GUARDRAIL_VERSION] = str(version)
    return attributes


def input_messages(body: Mapping[str, Any]) -> list[Message]:
    if "messages" in body:
        return _content.messages_of(body["messages"])
    for key in ("inputText", "prompt", "message"):
        if key in body:
            return _content.prompt_messages(body[key])
    return []


def system_instructions(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _content.system_of(body.get("system"))


def tool_definitions(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    if "tools" in body:
        return _content.anthropic_tools(body["tools"])
    return _content.converse_tools(body.get("toolConfig"))


def _mapping(value: Any) -> Mapping[str, Any]:
    """The value when it is a JSON object; else empty, so a malformed field is skipped, not read."""
    return value if isinstance(value, Mapping) else {}


# --- complete responses ---------------------------------------------------------------------------------
def _anthropic_usage(usage: Any, recorder: Recorder) -> bool:
    if not isinstance(usage, Mapping):
        return False
    return _usage.record(recorder, usage.get("input_tokens"), usage.get("output_tokens"),
                         _usage.count(usage.get("cache_read_input_tokens")),
                         _usage.count(usage.get("cache_creation_input_tokens")))


def _anthropic_message(body: Mapping[str, Any], recorder: Recorder) -> bool:
    recorder.set_response(id=body.get("id"), model=body.get("model"))
    recorder.set_finish_reason(0, body.get("stop_reason"))
    capture = recorder.capture_content
    call_index = 0
    for block in items_of(body.get("content")):
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "tool_use":
            recorder.add_tool_call(0, call_index, id=block.get("id"), name=block.get("name"),
                                   arguments=_usage.json_text(block.get("input")) if capture else None)
            call_index += 1
        elif capture and kind == "text":
            recorder.add_text(0, str(block.get("text") or ""))
        elif capture and kind == "thinking":
            recorder.add_text(0, str(block.get("thinking") or ""), kind="reasoning")
    return _anthropic_usage(body.get("usage"), recorder)


def _choices(body: Mapping[str, Any], recorder: Recorder) -> bool:
    recorder.set_response(id=str(body["id"]) if body.get("id") else None, model=body.get("model"))
    for position, choice in enumerate(items_of(body.get("choices"))):
        if not isinstance(choice, Mapping):
            continue
        index = choice.get("index", position) if isinstance(choice.get("index"), int) else position
        recorder.set_finish_reason(index, choice.get("finish_reason") or choice.get("stop_reason"))
        message = choice.get("message") if isinstance(choice.get("message"), Mapping) else None
        text = message.get("content") if message is not None else choice.get("text")
        if isinstance(text, str):
            recorder.add_text(index, text)
        for call_index, call in enumerate(items_of(_mapping(message).get("tool_calls"))):
            call = _mapping(call)
            function = _mapping(call.get("function"))
            recorder.add_tool_call(index, call_index, id=call.get("id"), name=function.get("name"),
                                   arguments=function.get("arguments") if recorder.capture_content else None)
    usage = body.get("usage")
    if not isinstance(usage, Mapping):
        return False
    return _usage.record(recorder, usage.get("prompt_tokens"), usage.get("completion_tokens"))


def _texts(items: Any, recorder: Recorder, text_key: str, reason_of: Any) -> None:
    for index, item in enumerate(items_of(items)):
        if isinstance(item, Mapping):
            recorder.set_finish_reason(index, reason_of(item))
            text = item.get(text_key)
            if isinstance(text, str):
                recorder.add_text(index, text)


def read_response(body: Mapping[str, Any], recorder: Recorder, guarded: bool) -> bool:
    """A complete invoke_model body; True when it carried token counts."""
    action = body.get(GUARDRAIL_ACTION)
    if isinstance(action, str):
        recorder.set_attribute(sc.AWS_BEDROCK_GUARDRAIL_ACTION, action)
    if body.get("type") == "message" or ("content" in body and "stop_reason" in body):  # Anthropic messages
        return _anthropic_message(body, recorder)
    if "output" in body and "stopReason" in body:  # Nova: the Converse shape
        _converse.read_response(body, recorder, guarded and not isinstance(action, str))
        return isinstance(body.get("usage"), Mapping)
    if "choices" in body:
        return _choices(body, recorder)
    if "completion" in body:  # Anthropic text completions (Claude 2)
        recorder.set_finish_reason(0, body.get("stop_reason"))
        recorder.add_text(0, str(body["completion"]))
        return False
    if "results" in body:  # Titan text
        results = items_of(body["results"])
        _texts(results, recorder, "outputText", lambda r: r.get("completionReason"))
        output = sum(_usage.count(r.get("tokenCount")) or 0 for r in results if isinstance(r, Mapping))
        return _usage.record(recorder, body.get("inputTextTokenCount"), output if results else None)
    if "generation" in body:  # Meta Llama
        recorder.set_finish_reason(0, body.get("stop_reason"))
        recorder.add_text(0, str(body["generation"]))
        return _usage.record(recorder, body.get("prompt_token_count"), body.get("generation_token_count"))
    if "generations" in body:  # Cohere Command
        recorder.set_response(id=body.get("id"))
        _texts(body["generations"], recorder, "text", lambda g: g.get("finish_reason"))
        return False
    if "completions" in body:  # AI21 Jurassic-2: the provider lists the prompt's and completion's tokens
        recorder.set_response(id=str(body["id"]) if body.get("id") is not None else None)
        completions = [_mapping(item) for item in items_of(body["completions"])]
        for index, item in enumerate(completions):
            data = _mapping(item.get("data"))
            recorder.set_finish_reason(index, _mapping(item.get("finishReason")).get("reason"))
            if isinstance(data.get("text"), str):
                recorder.add_text(index, data["text"])
        prompt_tokens = _mapping(body.get("prompt")).get("tokens")
        output_tokens = [len(items_of(_mapping(item.get("data")).get("tokens"))) for item in completions]
        return _usage.record(recorder, len(prompt_tokens) if isinstance(prompt_tokens, list) else None,
                             sum(output_tokens) if output_tokens else None)
    if "outputs" in body:  # Mistral text completions
        _texts(body["outputs"], recorder, "text", lambda o: o.get("stop_reason"))
        return False
    if "text" in body and "finish_reason" in body:  # Cohere Command R
        recorder.set_response(id=body.get("response_id") or body.get("generation_id"))
        recorder.set_finish_reason(0, body.get("finish_reason"))
        recorder.add_text(0, str(body["text"]))
        return False
    if "embedding" in body or "embeddings" in body:  # Titan / Cohere embeddings
        return _usage.record(recorder, body.get("inputTextTokenCount"), None)
    return False


# --- stream chunks ------------------------------------------------------------------------------------
def _anthropic_event(chunk: Mapping[str, Any], kind: str, recorder: Recorder, state: StreamState) -> None:
    if kind == "content_block_delta":
        delta = _mapping(chunk.get("delta"))
        if delta.get("type") == "input_json_delta":
            call = state.tool_blocks.get(chunk.get("index", 0)) if state.tool_blocks else None
            if call is not None and recorder.capture_content:
                recorder.add_tool_call(0, call, arguments=delta.get("partial_json"))
        elif recorder.capture_content:
            if "text" in delta:
                recorder.add_text(0, str(delta["text"]))
            elif "thinking" in delta:
                recorder.add_text(0, str(delta["thinking"]), kind="reasoning")
    elif kind == "message_start":
        message = _mapping(chunk.get("message"))
        recorder.set_response(id=message.get("id"), model=message.get("model"))
        if _anthropic_usage(message.get("usage"), recorder):
            state.usage_seen = True
    elif kind == "content_block_start":
        block = _mapping(chunk.get("content_block"))
        if block.get("type") == "tool_use":
            if state.tool_blocks is None:
                state.tool_blocks = {}
            call = state.tool_blocks[chunk.get("index", 0)] = len(state.tool_blocks)
            recorder.add_tool_call(0, call, id=block.get("id"), name=block.get("name"))
    elif kind == "message_delta":
        recorder.set_finish_reason(0, _mapping(chunk.get("delta")).get("stop_reason"))
        usage = chunk.get("usage")
        if isinstance(usage, Mapping) and _usage.count(usage.get("output_tokens")) is not None:
            recorder.set_usage(output_tokens=_usage.count(usage.get("output_tokens")))
            state.usage_seen = True


def read_chunk(chunk: Mapping[str, Any], recorder: Recorder, state: StreamState) -> None:
    """One decoded invoke-stream chunk: O(1), dispatching on the family's keys."""
    kind = chunk.get("type")
    if isinstance(kind, str):  # Anthropic messages
        _anthropic_event(chunk, kind, recorder, state)
    elif "outputText" in chunk:  # Titan
        recorder.add_text(0, str(chunk["outputText"]))
        recorder.set_finish_reason(0, chunk.get("completionReason"))
        if _usage.record(recorder, chunk.get("inputTextTokenCount"), chunk.get("totalOutputTextTokenCount")):
            state.usage_seen = True
    elif "generation" in chunk:  # Meta Llama: counts are running totals
        recorder.add_text(0, str(chunk["generation"]))
        recorder.set_finish_reason(0, chunk.get("stop_reason"))
        if _usage.record(recorder, chunk.get("prompt_token_count"), chunk.get("generation_token_count")):
            state.usage_seen = True
    elif "completion" in chunk:  # Anthropic text completions
        recorder.add_text(0, str(chunk["completion"]))
        recorder.set_finish_reason(0, chunk.get("stop_reason"))
    elif "choices" in chunk:
        for position, item in enumerate(items_of(chunk["choices"])):
            choice = _mapping(item)
            text = _mapping(choice.get("delta")).get("content")
            recorder.add_text(position, str(text if text is not None else choice.get("text") or ""))
            recorder.set_finish_reason(position, choice.get("finish_reason") or choice.get("stop_reason"))
    elif "outputs" in chunk:  # Mistral text completions
        for position, output in enumerate(map(_mapping, items_of(chunk["outputs"]))):
            recorder.add_text(position, str(output.get("text") or ""))
            recorder.set_finish_reason(position, output.get("stop_reason"))
    elif "generations" in chunk or "is_finished" in chunk:  # Cohere
        for position, generation in enumerate(map(_mapping, items_of(chunk.get("generations")))):
            recorder.add_text(position, str(generation.get("text") or ""))
            recorder.set_finish_reason(position, generation.get("finish_reason"))
        if "text" in chunk:
            recorder.add_text(0, str(chunk["text"]))
        recorder.set_finish_reason(0, chunk.get("finish_reason"))
    else:  # Nova: Converse-style events
        _converse.read_event(chunk, recorder, state)
    action = chunk.get(GUARDRAIL_ACTION)
    if isinstance(action, str):
        recorder.set_attribute(sc.AWS_BEDROCK_GUARDRAIL_ACTION, action)
    metrics = chunk.get(_usage.INVOCATION_METRICS)
    if metrics is not None and not state.usage_seen:
        _usage.from_invocation_metrics(metrics, recorder)
