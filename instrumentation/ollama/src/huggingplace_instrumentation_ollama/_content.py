"""ollama request and response content in the GenAI conventions' shape (read only when content capture is
on). Images are recorded by modality only, never their bytes."""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk.engine import Message, Recorder, chat_tool_definitions, field_of


def _text(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "content": content}] if isinstance(content, str) and content else []


def chat_messages(messages: Any) -> list[Message]:
    """``messages`` (dicts or ``ollama.Message``) as GenAI input messages."""
    result: list[Message] = []
    for message in messages or ():
        role = str(field_of(message, "role") or "user")
        if role == "tool":
            response = field_of(message, "content")
            result.append({"role": role, "parts": [{"type": "tool_call_response",
                                                    "response": response if isinstance(response, str) else ""}]})
            continue
        parts = _text(field_of(message, "content"))
        parts += [{"type": "blob", "modality": "image"} for _ in field_of(message, "images") or ()]
        for call in field_of(message, "tool_calls") or ():
            function = field_of(call, "function")
            parts.append({"type": "tool_call", "name": field_of(function, "name"),
                          "arguments": _plain(field_of(function, "arguments"))})
        result.append({"role": role, "parts": parts})
    return result


def prompt_messages(prompt: Any, images: Any) -> list[Message]:
    """A ``generate`` prompt (and its images) as one user message."""
    parts = _text(prompt) + [{"type": "blob", "modality": "image"} for _ in images or ()]
    return [{"role": "user", "parts": parts}] if parts else []


def system_instructions(system: Any) -> list[dict[str, Any]]:
    return _text(system)


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    """Tools given as OpenAI-style dicts or ``ollama.Tool`` models; a Python function given as a tool is
    named by the client only when it sends it, so it is recorded by its name."""
    plain: list[Any] = []
    for tool in tools or ():
        if callable(tool) and not hasattr(tool, "model_dump"):
            plain.append({"type": "function", "function": {"name": getattr(tool, "__name__", "")}})
        else:
            plain.append(_plain(tool))
    return chat_tool_definitions(plain)


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(exclude_none=True) if callable(dump) else value


def record_message(message: Any, recorder: Recorder) -> None:
    """A response message (or a stream chunk's fragment of it): role, text, thinking and tool calls."""
    if message is None:
        return
    if recorder.capture_content:
        role = field_of(message, "role")
        if isinstance(role, str) and role:
            recorder.set_role(0, role)
        text = field_of(message, "content")
        if isinstance(text, str) and text:
            recorder.add_text(0, text)
        thinking = field_of(message, "thinking")
        if isinstance(thinking, str) and thinking:
            recorder.add_text(0, thinking, kind="reasoning")
    calls = field_of(message, "tool_calls")
    if calls:
        record_tool_calls(calls, recorder)


def record_tool_calls(calls: Any, recorder: Recorder) -> None:
    for position, call in enumerate(calls):
        function = field_of(call, "function")
        arguments = _plain(field_of(function, "arguments"))
        name = field_of(function, "name")
        recorder.add_tool_call(
            0, position, id=None, name=name if isinstance(name, str) else None,
            arguments=None if arguments is None else json.dumps(arguments, default=str),
        )
