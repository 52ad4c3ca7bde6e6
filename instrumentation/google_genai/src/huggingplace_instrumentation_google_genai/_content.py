"""google-genai request content in the GenAI conventions' message shape (read only under content capture).

``contents`` may be a string, a Part, a Content, a dict of either, or a list mixing them: the SDK sends
loose strings and parts as one ``user`` turn, and each Content as its own turn. Gemini names the assistant
role ``model``; it is kept as sent.
"""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import field_of

Part = dict[str, Any]
# Only lists and tuples are read: any other iterable may be one-shot, and reading it first (content is read
# before the call) would leave nothing for the SDK to send.
SEQUENCES = (list, tuple)


def input_messages(contents: Any) -> list[dict[str, Any]]:
    items = contents if isinstance(contents, SEQUENCES) else [contents]
    messages: list[dict[str, Any]] = []
    loose: list[Part] = []
    for item in items:
        if _is_content(item):
            if loose:
                messages.append({"role": "user", "parts": loose})
                loose = []
            messages.append({"role": str(field_of(item, "role") or "user"), "parts": parts_of(item)})
        else:
            loose.extend(_part(item))
    if loose:
        messages.append({"role": "user", "parts": loose})
    return messages


def system_instructions(instruction: Any) -> list[Part]:
    """``config.system_instruction``: a string, a Part, a Content, or a list of strings and parts."""
    if _is_content(instruction):
        return parts_of(instruction)
    items = instruction if isinstance(instruction, SEQUENCES) else [instruction]
    return [part for item in items for part in _part(item)]


def tool_definitions(tools: Any) -> list[dict[str, Any]]:
    """``config.tools``: Tool objects (function declarations, built-in tools) or plain Python functions."""
    if not isinstance(tools, SEQUENCES):
        return []
    definitions: list[dict[str, Any]] = []
    for tool in tools:
        if callable(tool) and not isinstance(tool, dict):
            # Automatic function calling: the SDK declares the function from its signature.
            definitions.append({"type": "function", "name": getattr(tool, "__name__", None)})
            continue
        declarations = field_of(tool, "function_declarations")
        if not declarations:
            kinds = [key for key, value in _fields(tool) if value is not None]
            definitions.append({"type": kinds[0] if kinds else "unknown"})
            continue
        for declaration in declarations:
            definition: dict[str, Any] = {"type": "function", "name": field_of(declaration, "name")}
            description = field_of(declaration, "description")
            if description is not None:
                definition["description"] = description
            parameters = field_of(declaration, "parameters_json_schema") or field_of(declaration, "parameters")
            if parameters is not None:
                definition["parameters"] = _plain(parameters)
            definitions.append(definition)
    return definitions


def parts_of(content: Any) -> list[Part]:
    result: list[Part] = []
    for part in field_of(content, "parts") or ():
        result.extend(_part(part))
    return result


def _is_content(item: Any) -> bool:
    return field_of(item, "parts") is not None or (isinstance(item, dict) and "role" in item)


def _part(part: Any) -> list[Part]:
    if isinstance(part, str):
        return [{"type": "text", "content": part}]
    text = field_of(part, "text")
    if text is not None:
        return [{"type": "reasoning" if field_of(part, "thought") else "text", "content": text}]
    call = field_of(part, "function_call")
    if call is not None:
        return [{"type": "tool_call", "id": field_of(call, "id"), "name": field_of(call, "name"),
                 "arguments": _plain(field_of(call, "args"))}]
    response = field_of(part, "function_response")
    if response is not None:
        return [{"type": "tool_call_response", "id": field_of(response, "id"),
                 "response": _plain(field_of(response, "response"))}]
    data = field_of(part, "file_data")
    if data is not None:
        mime = field_of(data, "mime_type")
        return [{"type": "uri", "modality": _modality(mime), "mime_type": mime, "uri": field_of(data, "file_uri")}]
    blob = field_of(part, "inline_data")
    if blob is not None:
        # The bytes themselves are not recorded: an image or audio clip would fill the content budget.
        mime = field_of(blob, "mime_type")
        return [{"type": "blob", "modality": _modality(mime), "mime_type": mime}]
    if isinstance(part, (bytes, bytearray)) or part is None:
        return []
    kinds = [key for key, value in _fields(part) if value is not None]
    return [{"type": kinds[0] if kinds else type(part).__name__}]


def _modality(mime: Any) -> str | None:
    if not isinstance(mime, str):
        return None
    kind = mime.split("/", 1)[0]
    return kind if kind in ("image", "video", "audio") else None


def _fields(obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        return list(obj.items())
    return [(key, getattr(obj, key, None)) for key in getattr(type(obj), "model_fields", {})]


def _plain(value: Any) -> Any:
    """A pydantic model (a Schema, say) as plain JSON-able data; anything else as it is."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if callable(dump) else value
