"""Anthropic request content in the GenAI conventions' message shape (read only under content capture)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import field_of

Part = dict[str, Any]
# Only lists and tuples are read: any other iterable may be one-shot, and reading it first (content is read
# before the call) would leave nothing for the SDK to send.
SEQUENCES = (list, tuple)


def input_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, SEQUENCES):
        return []
    return [
        {"role": str(field_of(message, "role") or "user"), "parts": _parts(field_of(message, "content"))}
        for message in messages
    ]


def system_instructions(system: Any) -> list[dict[str, Any]]:
    return _parts(system)


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    if not isinstance(tools, SEQUENCES):
        return []
    definitions: list[dict[str, Any]] = []
    for tool in tools:
        tool_type = field_of(tool, "type")
        definition: dict[str, Any] = {
            # Custom tools may omit "type"; server tools carry a versioned one (e.g. web_search_20250305).
            "type": "function" if tool_type in (None, "custom") else str(tool_type),
            "name": field_of(tool, "name"),
        }
        description = field_of(tool, "description")
        if description is not None:
            definition["description"] = description
        schema = field_of(tool, "input_schema")
        if schema is not None:
            definition["parameters"] = schema
        definitions.append(definition)
    return definitions


def _parts(content: Any) -> list[Part]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    if not isinstance(content, SEQUENCES):
        return []
    return [part for part in map(_part, content) if part is not None]


def _part(block: Any) -> Part | None:
    block_type = field_of(block, "type")
    if block_type == "text":
        return {"type": "text", "content": field_of(block, "text")}
    if block_type in ("tool_use", "server_tool_use"):
        return {
            "type": "tool_call",
            "id": field_of(block, "id"),
            "name": field_of(block, "name"),
            "arguments": field_of(block, "input"),
        }
    if block_type == "tool_result":
        result = field_of(block, "content")
        return {
            "type": "tool_call_response",
            "id": field_of(block, "tool_use_id"),
            "response": result if isinstance(result, str) else _parts(result),
        }
    if block_type == "thinking":
        return {"type": "reasoning", "content": field_of(block, "thinking")}
    if block_type == "redacted_thinking":
        return None  # an encrypted payload: nothing readable to record
    if block_type in ("image", "document"):
        return _media_part(block, str(block_type))
    return {"type": str(block_type)}


def _media_part(block: Any, block_type: str) -> Part:
    source = field_of(block, "source")
    modality = "image" if block_type == "image" else "document"
    source_type = field_of(source, "type")
    if source_type == "base64":
        return {
            "type": "blob",
            "modality": modality,
            "mime_type": field_of(source, "media_type"),
            "content": field_of(source, "data"),
        }
    if source_type == "url":
        return {"type": "uri", "modality": modality, "uri": field_of(source, "url")}
    if source_type == "file":
        return {"type": "file", "modality": modality, "file_id": field_of(source, "file_id")}
    return {"type": block_type}
