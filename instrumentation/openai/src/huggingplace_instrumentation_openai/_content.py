"""openai request content in the GenAI conventions' message shape (read only when content capture is on)."""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk.engine import Message, field_of, given_value


def _arguments(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text_part(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def content_parts(content: Any) -> list[dict[str, Any]]:
    """A chat ``content`` (string, or list of typed parts) as GenAI parts."""
    content = given_value(content)
    if content is None:
        return []
    if isinstance(content, str):
        return [_text_part(content)] if content else []
    parts: list[dict[str, Any]] = []
    for part in content if isinstance(content, (list, tuple)) else [content]:
        kind = field_of(part, "type")
        if kind in ("text", "input_text", "output_text"):
            parts.append(_text_part(str(field_of(part, "text") or "")))
        elif kind == "refusal":
            parts.append(_text_part(str(field_of(part, "refusal") or "")))
        elif kind == "image_url":
            image = field_of(part, "image_url")
            parts.append({"type": "uri", "modality": "image", "uri": str(field_of(image, "url") or image or "")})
        elif kind == "input_image":
            parts.append({"type": "uri", "modality": "image", "uri": str(field_of(part, "image_url") or "")})
        elif isinstance(part, str):
            parts.append(_text_part(part))
        elif kind:
            parts.append({"type": str(kind)})  # audio, files: the modality only, never the bytes
    return parts


def chat_messages(messages: Any) -> list[Message]:
    """Chat completion ``messages`` (dicts or SDK models) as GenAI input messages."""
    result: list[Message] = []
    for message in given_value(messages) or ():
        role = str(field_of(message, "role") or "user")
        parts = content_parts(field_of(message, "content"))
        for call in field_of(message, "tool_calls") or ():
            function = field_of(call, "function")
            parts.append(
                {
                    "type": "tool_call",
                    "id": field_of(call, "id"),
                    "name": field_of(function, "name"),
                    "arguments": _arguments(field_of(function, "arguments")),
                }
            )
        function_call = field_of(message, "function_call")
        if function_call is not None:
            parts.append(
                {
                    "type": "tool_call",
                    "name": field_of(function_call, "name"),
                    "arguments": _arguments(field_of(function_call, "arguments")),
                }
            )
        if role in ("tool", "function"):
            response = "".join(p.get("content", "") for p in parts if p.get("type") == "text")
            parts = [{"type": "tool_call_response", "id": field_of(message, "tool_call_id"), "response": response}]
        result.append({"role": role, "parts": parts})
    return result


def prompt_messages(prompt: Any) -> list[Message]:
    """A legacy completion ``prompt`` (a string or a list of strings) as user messages."""
    prompt = given_value(prompt)
    prompts = [prompt] if isinstance(prompt, str) else list(prompt or ())
    return [{"role": "user", "parts": [_text_part(p)]} for p in prompts if isinstance(p, str)]


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    """Tool definitions flattened to {type, name, description, parameters} (chat and Responses shapes)."""
    definitions: list[dict[str, Any]] = []
    for tool in given_value(tools) or ():
        if not isinstance(tool, dict):
            continue
        nested = tool.get("function")
        function: dict[str, Any] = nested if isinstance(nested, dict) else tool
        definition = {"type": tool.get("type", "function")}
        for key in ("name", "description", "parameters"):
            if function.get(key) is not None:
                definition[key] = function[key]
        definitions.append(definition)
    return definitions


def response_input_messages(value: Any) -> list[Message]:
    """A Responses API ``input`` (a string or a list of items) as GenAI input messages."""
    value = given_value(value)
    if isinstance(value, str):
        return [{"role": "user", "parts": [_text_part(value)]}]
    messages: list[Message] = []
    for item in value or ():
        kind = field_of(item, "type")
        if kind == "function_call":
            messages.append(
                {
                    "role": "assistant",
                    "parts": [
                        {
                            "type": "tool_call",
                            "id": field_of(item, "call_id"),
                            "name": field_of(item, "name"),
                            "arguments": _arguments(field_of(item, "arguments")),
                        }
                    ],
                }
            )
        elif kind == "function_call_output":
            output = field_of(item, "output")
            messages.append(
                {
                    "role": "tool",
                    "parts": [
                        {
                            "type": "tool_call_response",
                            "id": field_of(item, "call_id"),
                            "response": output if isinstance(output, str) else content_parts(output),
                        }
                    ],
                }
            )
        elif kind in (None, "message"):
            messages.append(
                {"role": str(field_of(item, "role") or "user"), "parts": content_parts(field_of(item, "content"))}
            )
        elif kind == "reasoning":
            summary = "".join(str(field_of(s, "text") or "") for s in field_of(item, "summary") or ())
            if summary:
                messages.append({"role": "assistant", "parts": [{"type": "reasoning", "content": summary}]})
    return messages


def instructions(value: Any) -> list[dict[str, Any]]:
    value = given_value(value)
    return [_text_part(value)] if isinstance(value, str) and value else []
