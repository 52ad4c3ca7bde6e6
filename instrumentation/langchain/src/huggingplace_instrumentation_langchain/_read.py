"""Reading LangChain's run data (messages, LangSmith metadata, LLMResult) into the engine's neutral records.

Pure functions over duck-typed objects: nothing here imports langchain_core.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Message, Recorder, field_of, integer_of, number_attributes, strings_of

# LangChain's ls_provider (LangSmith's provider id) -> gen_ai.provider.name.
_PROVIDERS = {
    "openai": "openai",
    "azure": "azure.ai.openai",
    "azure_openai": "azure.ai.openai",
    "anthropic": "anthropic",
    "mistralai": "mistral_ai",
    "google_genai": "gcp.gemini",
    "google_vertexai": "gcp.vertex_ai",
    "google_anthropic_vertex": "gcp.vertex_ai",
    "amazon_bedrock": "aws.bedrock",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "groq": "groq",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "perplexity": "perplexity",
    "ibm": "ibm.watsonx.ai",
}
_UNKNOWN_PROVIDER = "langchain"

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "function": "tool",
          "chat": "user", "developer": "system"}

_REQUEST_PARAMS = (
    ("ls_temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("ls_max_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
)
_INVOCATION_PARAMS = (
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("max_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("max_completion_tokens", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
    ("top_k", sc.GEN_AI_REQUEST_TOP_K),
    ("frequency_penalty", sc.GEN_AI_REQUEST_FREQUENCY_PENALTY),
    ("presence_penalty", sc.GEN_AI_REQUEST_PRESENCE_PENALTY),
    ("seed", sc.GEN_AI_REQUEST_SEED),
)


def provider_of(ls_provider: Any, serialized: Mapping[str, Any] | None) -> str:
    if isinstance(ls_provider, str) and ls_provider:
        return _PROVIDERS.get(ls_provider, ls_provider)
    return _UNKNOWN_PROVIDER


def request_attributes(metadata: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = dict(number_attributes(params, _INVOCATION_PARAMS))
    for key, value in number_attributes(metadata, _REQUEST_PARAMS).items():
        attrs.setdefault(key, value)
    stop = strings_of(params.get("stop") or metadata.get("ls_stop"))
    if stop:
        attrs[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = stop
    return attrs


def _parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}] if content else []
    parts: list[dict[str, Any]] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                parts.append({"type": "text", "content": block})
            elif isinstance(block, Mapping):
                kind = block.get("type")
                if kind == "text" and isinstance(block.get("text"), str):
                    parts.append({"type": "text", "content": block["text"]})
                elif kind in ("thinking", "reasoning"):
                    text = block.get("thinking") or block.get("reasoning") or block.get("text")
                    if isinstance(text, str):
                        parts.append({"type": "reasoning", "content": text})
                elif kind not in ("tool_use", "function_call"):  # tool calls come from message.tool_calls
                    parts.append({"type": str(kind or "unknown")})
    return parts


def _message(message: Any) -> Message:
    kind = field_of(message, "type")
    role = _ROLES.get(kind, kind if isinstance(kind, str) else "user")
    parts = _parts(field_of(message, "content"))
    for call in field_of(message, "tool_calls") or []:
        parts.append({"type": "tool_call", "id": field_of(call, "id"), "name": field_of(call, "name"),
                      "arguments": field_of(call, "args")})
    if role == "tool":
        text = field_of(message, "content")
        parts = [{"type": "tool_call_response", "id": field_of(message, "tool_call_id"),
                  "response": text if isinstance(text, str) else str(text)}]
    return {"role": role, "parts": parts}


def chat_input_messages(messages: list[list[Any]]) -> list[Message]:
    """The first prompt's messages (LangChain batches several prompts in one run only for ``generate``)."""
    return [_message(m) for m in (messages[0] if messages else [])]


def text_input_messages(prompts: list[str]) -> list[Message]:
    return [{"role": "user", "parts": [{"type": "text", "content": p}]} for p in prompts[:1]]


def read_llm_result(result: Any, recorder: Recorder) -> None:
    """An LLMResult: per-generation finish reasons, text and tool calls; usage from the message's
    ``usage_metadata`` (LangChain's normalized counts), else from ``llm_output``; response id and model."""
    generations = field_of(result, "generations")
    choices = generations[0] if isinstance(generations, list) and generations else []
    usage_seen = False
    for index, generation in enumerate(choices if isinstance(choices, list) else []):
        _read_generation(generation, index, recorder)
        if index == 0:
            usage_seen = _read_message_usage(field_of(generation, "message"), recorder)
    output = field_of(result, "llm_output")
    if isinstance(output, Mapping):
        model = output.get("model_name") or output.get("model")
        if isinstance(model, str) and not recorder.response_model:
            recorder.set_response(model=model)
        response_id = output.get("id")
        if isinstance(response_id, str):
            recorder.set_response(id=response_id)
        if not usage_seen:
            _read_output_usage(output.get("token_usage") or output.get("usage"), recorder)


def _read_generation(generation: Any, index: int, recorder: Recorder) -> None:
    info = field_of(generation, "generation_info") or {}
    message = field_of(generation, "message")
    metadata = field_of(message, "response_metadata") if message is not None else None
    metadata = metadata if isinstance(metadata, Mapping) else {}
    reason = info.get("finish_reason") if isinstance(info, Mapping) else None
    reason = reason or metadata.get("finish_reason") or metadata.get("stop_reason")
    if isinstance(reason, str):
        recorder.set_finish_reason(index, reason)
    model = metadata.get("model_name") or metadata.get("model")
    if isinstance(model, str):
        recorder.set_response(model=model)
    response_id = metadata.get("id") or (field_of(message, "id") if message is not None else None)
    if isinstance(response_id, str) and not response_id.startswith("run-") and not response_id.startswith("lc_"):
        recorder.set_response(id=response_id)
    if message is None:
        text = field_of(generation, "text")
        if isinstance(text, str):
            recorder.add_text(index, text)
        return
    for part in _parts(field_of(message, "content")):
        if part["type"] in ("text", "reasoning"):
            recorder.add_text(index, part["content"], kind=part["type"])
    for call_index, call in enumerate(field_of(message, "tool_calls") or []):
        args = field_of(call, "args")
        recorder.add_tool_call(index, call_index, id=field_of(call, "id"), name=field_of(call, "name"),
                               arguments=None if args is None else _json(args))


def _read_message_usage(message: Any, recorder: Recorder) -> bool:
    usage = field_of(message, "usage_metadata") if message is not None else None
    if not isinstance(usage, Mapping):
        return False
    input_details = usage.get("input_token_details") or {}
    output_details = usage.get("output_token_details") or {}
    recorder.set_usage(input_tokens=integer_of(usage.get("input_tokens")),
                       output_tokens=integer_of(usage.get("output_tokens")),
                       cache_read_input_tokens=integer_of(input_details.get("cache_read")),
                       cache_creation_input_tokens=integer_of(input_details.get("cache_creation")),
                       reasoning_output_tokens=integer_of(output_details.get("reasoning")))
    return True


def _read_output_usage(usage: Any, recorder: Recorder) -> None:
    if not isinstance(usage, Mapping):
        return
    input_tokens = usage.get("prompt_tokens", usage.get("input_tokens"))
    output_tokens = usage.get("completion_tokens", usage.get("output_tokens"))
    if input_tokens is None and output_tokens is None:
        return
    recorder.set_usage(input_tokens=integer_of(input_tokens), output_tokens=integer_of(output_tokens))


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
