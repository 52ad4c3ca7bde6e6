"""What a recorded Anthropic response says, read straight from the cassette (the tests' expected values)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from huggingplace_sdk.testing import Interaction, recorded_json, recorded_sse_events


@dataclass
class Recorded:
    id: str
    model: str
    stop_reason: str | None
    input_tokens: int  # uncached + cache read + cache creation
    output_tokens: int
    cache_read: int | None
    cache_creation: int | None
    text: str = ""
    thinking: str = ""
    tool_calls: list[tuple[str, str, Any]] = field(default_factory=list)  # (id, name, input)
    events: int | None = None  # for a stream: the events the SDK yields (pings are dropped by the SDK)


def _usage_fields(usage: dict[str, Any]) -> tuple[int, int | None, int | None]:
    cache_read = usage.get("cache_read_input_tokens")
    cache_creation = usage.get("cache_creation_input_tokens")
    return usage["input_tokens"] + (cache_read or 0) + (cache_creation or 0), cache_read, cache_creation


def recorded_message(interaction: Interaction) -> Recorded:
    content_type = interaction.response.header("content-type") or ""
    if content_type.startswith("text/event-stream"):
        return _from_stream(recorded_sse_events(interaction))
    body = recorded_json(interaction)
    total, cache_read, cache_creation = _usage_fields(body["usage"])
    recorded = Recorded(
        id=body["id"], model=body["model"], stop_reason=body["stop_reason"], input_tokens=total,
        output_tokens=body["usage"]["output_tokens"], cache_read=cache_read, cache_creation=cache_creation,
    )
    for block in body["content"]:
        if block["type"] == "text":
            recorded.text += block["text"]
        elif block["type"] == "thinking":
            recorded.thinking += block["thinking"]
        elif block["type"] == "tool_use":
            recorded.tool_calls.append((block["id"], block["name"], block["input"]))
    return recorded


def _from_stream(events: list[dict[str, Any]]) -> Recorded:
    start = next(e["message"] for e in events if e["type"] == "message_start")
    total, cache_read, cache_creation = _usage_fields(start["usage"])
    deltas = [e for e in events if e["type"] == "message_delta"]
    recorded = Recorded(
        id=start["id"], model=start["model"], stop_reason=deltas[-1]["delta"]["stop_reason"],
        input_tokens=total, output_tokens=deltas[-1]["usage"]["output_tokens"],
        cache_read=cache_read, cache_creation=cache_creation,
        events=sum(1 for e in events if e["type"] != "ping"),
    )
    arguments: dict[int, str] = {}
    for event in events:
        if event["type"] == "content_block_start" and event["content_block"]["type"] == "tool_use":
            block = event["content_block"]
            recorded.tool_calls.append((block["id"], block["name"], event["index"]))
            arguments[event["index"]] = ""
        elif event["type"] == "content_block_delta":
            delta = event["delta"]
            if delta["type"] == "text_delta":
                recorded.text += delta["text"]
            elif delta["type"] == "thinking_delta":
                recorded.thinking += delta["thinking"]
            elif delta["type"] == "input_json_delta":
                arguments[event["index"]] += delta["partial_json"]
    recorded.tool_calls = [
        (call_id, name, json.loads(arguments[index] or "{}")) for call_id, name, index in recorded.tool_calls
    ]
    return recorded
