"""LiteLLM request content (OpenAI-style messages, Responses input) in the GenAI conventions' message shape.

Read only under content capture. Only lists and tuples are read: any other iterable may be one-shot, and
reading it first (content is read before the call) would leave nothing for LiteLLM to send.
"""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk.engine import field_of

Part = dict[str, Any]
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
            for call in _sequence(field_of(message, "tool_calls")):
                function = field_of(call, "function")
                parts.append({
                    "type": "tool_call", "id": field_of(call, "id"), "name": field_of(function, "name"),
                    "arguments": field_of(function, "arguments"),
                })
        result.append({"role": role, "parts": parts})
    return result


def content_parts(content: Any) -> list[Part]:
    """A message content: a string, or a list of parts (text, image_url, input_text, ...)."""
    if isinstance(content, str):
        return [{"type": "text", "content": content}] if content else []
    if not isinstance(content, SEQUENCES):
        return []
    parts: list[Part] = []
    for part in content:
        kind = field_of(part, "type")
        if kind in ("text", "input_text", "output_text"):
            parts.append({"type": "text", "content": field_of(part, "text")})
        elif kind == "image_url":
            image = field_of(part, "image_url")
            parts.append({"type": "uri", "modality": "image", "uri": image if isinstance(image, str) else
                          field_of(image, "url")})
        else:
            parts.append({"type": str(kind)})
    return parts


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    """Chat tools (``{"type": "function", "function": {...}}``) or Responses tools (flat, any type)."""
    if not isinstance(tools, SEQUENCES):
        return []
    definitions: list[dict[str, Any]] = []
    for tool in tools:
        function = field_of(tool, "function") or tool
        definition: dict[str, Any] = {"type": str(field_of(tool, "type") or "function")}
        for key in ("name", "description", "parameters"):
            value = field_of(function, key)
            if value is not None:
                definition[key] = value
        definitions.append(definition)
    return definitions


def responses_input(given: Any) -> list[dict[str, Any]]:
    """Responses ``input``: a string, or a list of messages and items (reasoning, tool calls, outputs)."""
    if isinstance(given, str):
        return [{"role": "user", "parts": [{"type": "text", "content": given}]}]
    if not isinstance(given, SEQUENCES):
        return []
    result: list[dict[str, Any]] = []
    for item in given:
        kind = field_of(item, "type")
        if kind == "function_call":
            result.append({"role": "assistant", "parts": [{
                "type": "tool_call", "id": field_of(item, "call_id"), "name": field_of(item, "name"),
                "arguments": field_of(item, "arguments"),
            }]})
        elif kind == "function_call_output":
            result.append({"role": "tool", "parts": [{
                "type": "tool_call_response", "id": field_of(item, "call_id"), "response": field_of(item, "output"),
            }]})
        elif kind == "reasoning":
            text = "".join(str(field_of(s, "text") or "") for s in _sequence(field_of(item, "summary")))
            result.append({"role": "assistant", "parts": [{"type": "reasoning", "content": text}]})
        else:
            role = str(field_of(item, "role") or "user")
            result.append({"role": role, "parts": content_parts(field_of(item, "content"))})
    return result


def arguments_text(arguments: Any) -> str | None:
    if arguments is None or isinstance(arguments, str):
        return arguments
    return json.dumps(arguments)


def _sequence(value: Any) -> list[Any] | tuple[Any, ...]:
    return value if isinstance(value, SEQUENCES) else ()
