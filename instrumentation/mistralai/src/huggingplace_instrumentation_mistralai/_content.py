"""Mistral request content in the GenAI conventions' message shape (read only under content capture)."""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk.engine import field_of, text_of

Part = dict[str, Any]
# Only lists and tuples are read: any other iterable may be one-shot, and reading it first (content is read
# before the call) would leave nothing for the SDK to send.
SEQUENCES = (list, tuple)


def input_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, SEQUENCES):
        return []
    result: list[dict[str, Any]] = []
    for message in messages:
        role = str(field_of(message, "role") or "user")
        content = field_of(message, "content")
        if role == "tool":
            parts: list[Part] = [
                {"type": "tool_call_response", "id": field_of(message, "tool_call_id"), "response": content}
            ]
        else:
            parts = content_parts(content)
            parts.extend(
                {
                    "type": "tool_call",
                    "id": field_of(call, "id"),
                    "name": field_of(field_of(call, "function"), "name"),
                    "arguments": field_of(field_of(call, "function"), "arguments"),
                }
                for call in _sequence(field_of(message, "tool_calls"))
            )
        result.append({"role": role, "parts": parts})
    return result


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    if not isinstance(tools, SEQUENCES):
        return []
    definitions: list[dict[str, Any]] = []
    for tool in tools:
        function = field_of(tool, "function")
        definition: dict[str, Any] = {
            "type": str(field_of(tool, "type") or "function"), "name": field_of(function, "name"),
        }
        for key in ("description", "parameters"):
            value = field_of(function, key)
            if value is not None:
                definition[key] = value
        definitions.append(definition)
    return definitions


def content_parts(content: Any) -> list[Part]:
    """A message content: a string, or a list of chunks (text, thinking, image_url, document_url ...)."""
    if isinstance(content, str):
        # An assistant turn that only calls tools often sends "" as its content.
        return [{"type": "text", "content": content}] if content else []
    if not isinstance(content, SEQUENCES):
        return []
    parts: list[Part] = []
    for chunk in content:
        chunk_type = field_of(chunk, "type")
        if chunk_type == "text":
            parts.append({"type": "text", "content": field_of(chunk, "text")})
        elif chunk_type == "thinking":
            parts.append({"type": "reasoning", "content": thinking_text(chunk)})
        elif chunk_type == "image_url":
            image = field_of(chunk, "image_url")
            uri = image if isinstance(image, str) else field_of(image, "url")
            parts.append({"type": "uri", "modality": "image", "uri": uri})
        else:
            parts.append({"type": str(chunk_type)})
    return parts


def thinking_text(chunk: Any) -> str:
    """A thinking chunk holds a list of text chunks."""
    return "".join(text_of(field_of(inner, "text")) or "" for inner in _sequence(field_of(chunk, "thinking")))


def arguments_text(arguments: Any) -> str | None:
    """Tool call arguments as sent: Mistral gives a JSON string or an already parsed object."""
    if arguments is None or isinstance(arguments, str):
        return arguments
    return json.dumps(arguments)


def _sequence(value: Any) -> list[Any] | tuple[Any, ...]:
    return value if isinstance(value, SEQUENCES) else ()
