"""Prompt content in the GenAI conventions' shape, read only when content capture is on.

Bedrock requests come in three message shapes: Converse (and Nova's invoke body) with typed content blocks
(``{"text": ...}``, ``{"toolUse": ...}``), Anthropic messages (``{"type": "text", ...}``), and plain
``role``/``content`` strings (OpenAI-style bodies); prompt-only bodies give one user message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huggingplace_sdk.engine import Message


def _block_part(block: Any) -> dict[str, Any] | None:
    """One content block of any of the shapes, as a conventions' part."""
    if isinstance(block, str):
        return {"type": "text", "content": block}
    if not isinstance(block, Mapping):
        return None
    kind = block.get("type")
    if kind is not None:  # Anthropic messages
        if kind == "text":
            return {"type": "text", "content": block.get("text")}
        if kind == "tool_use":
            return {"type": "tool_call", "id": block.get("id"), "name": block.get("name"),
                    "arguments": block.get("input")}
        if kind == "tool_result":
            return {"type": "tool_call_response", "id": block.get("tool_use_id"), "response": block.get("content")}
        return {"type": str(kind)}
    if "text" in block:  # Converse / Nova
        return {"type": "text", "content": block["text"]}
    if "guardContent" in block:
        text = (block["guardContent"].get("text") or {}) if isinstance(block["guardContent"], Mapping) else {}
        return {"type": "text", "content": text.get("text") if isinstance(text, Mapping) else None}
    if "toolUse" in block:
        use = block["toolUse"] or {}
        return {"type": "tool_call", "id": use.get("toolUseId"), "name": use.get("name"), "arguments": use.get("input")}
    if "toolResult" in block:
        result = block["toolResult"] or {}
        return {"type": "tool_call_response", "id": result.get("toolUseId"), "response": result.get("content")}
    if "reasoningContent" in block:
        reasoning = (block["reasoningContent"] or {}).get("reasoningText") or {}
        return {"type": "reasoning", "content": reasoning.get("text") if isinstance(reasoning, Mapping) else None}
    for key in block:  # image, document, video, cachePoint ...: the kind only, never the bytes
        return {"type": str(key)}
    return None


def parts_of(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    if isinstance(content, list):
        return [part for part in map(_block_part, content) if part is not None]
    return []


def messages_of(messages: Any) -> list[Message]:
    """Chat messages of any of the three shapes."""
    if not isinstance(messages, list):
        return []
    return [{"role": str(message.get("role") or "user"), "parts": parts_of(message.get("content"))}
            for message in messages if isinstance(message, Mapping)]


def prompt_messages(prompt: Any) -> list[Message]:
    """A prompt-only body (Titan ``inputText``, Llama / Cohere / AI21 / Mistral ``prompt``)."""
    return [{"role": "user", "parts": [{"type": "text", "content": prompt}]}] if isinstance(prompt, str) else []


def system_of(system: Any) -> list[dict[str, Any]]:
    """Converse / Nova ``system`` blocks, or Anthropic's ``system`` string or blocks."""
    return parts_of(system)


def converse_tools(tool_config: Any) -> list[dict[str, Any]]:
    tools = tool_config.get("tools") if isinstance(tool_config, Mapping) else None
    definitions = []
    for tool in tools or ():
        spec = tool.get("toolSpec") if isinstance(tool, Mapping) else None
        if isinstance(spec, Mapping):
            schema = spec.get("inputSchema")
            definitions.append({"type": "function", "name": spec.get("name"), "description": spec.get("description"),
                                "parameters": schema.get("json") if isinstance(schema, Mapping) else None})
    return definitions


def anthropic_tools(tools: Any) -> list[dict[str, Any]]:
    return [{"type": "function", "name": tool.get("name"), "description": tool.get("description"),
             "parameters": tool.get("input_schema")}
            for tool in tools or () if isinstance(tool, Mapping)]
