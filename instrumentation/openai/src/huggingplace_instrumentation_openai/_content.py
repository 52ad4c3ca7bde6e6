"""openai request content in the GenAI conventions' message shape (read only when content capture is on)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import (
    Message,
    chat_content_parts,
    chat_messages,
    field_of,
    given_value,
    json_arguments,
)
from huggingplace_sdk.engine import chat_tool_definitions as tool_definitions

__all__ = ["chat_messages", "instructions", "prompt_messages", "response_input_messages", "tool_definitions"]


def _text_part(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def prompt_messages(prompt: Any) -> list[Message]:
    """A legacy completion ``prompt`` (a string or a list of strings) as user messages."""
    prompt = given_value(prompt)
    prompts = [prompt] if isinstance(prompt, str) else list(prompt or ())
    return [{"role": "user", "parts": [_text_part(p)]} for p in prompts if isinstance(p, str)]


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
                            "arguments": json_arguments(field_of(item, "arguments")),
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
                            "response": output if isinstance(output, str) else chat_content_parts(output),
                        }
                    ],
                }
            )
        elif kind in (None, "message"):
            messages.append(
                {"role": str(field_of(item, "role") or "user"), "parts": chat_content_parts(field_of(item, "content"))}
            )
        elif kind == "reasoning":
            summary = "".join(str(field_of(s, "text") or "") for s in field_of(item, "summary") or ())
            if summary:
                messages.append({"role": "assistant", "parts": [{"type": "reasoning", "content": summary}]})
    return messages


def instructions(value: Any) -> list[dict[str, Any]]:
    value = given_value(value)
    return [_text_part(value)] if isinstance(value, str) and value else []
