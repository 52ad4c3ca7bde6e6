"""What a recorded openai response says, read straight from the cassette (the tests' expected values).

Only the Responses API needs an interpretation: it has a status instead of finish reasons, mapped as the
adapter documents (completed -> "stop", or "tool_calls" when a function call was output; incomplete -> its
reason; failed -> "error"; cancelled -> "cancelled").
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from huggingplace_sdk.testing import Interaction, recorded_json, recorded_sse_events


@dataclass
class Recorded:
    id: str | None
    model: str | None
    finish_reasons: list[str]  # ordered by choice index
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read: int | None = None
    reasoning: int | None = None
    tool_calls: list[tuple[str | None, str | None]] = field(default_factory=list)  # (id, name)
    dimensions: int | None = None
    service_tier: str | None = None
    chunks: int | None = None  # for a stream: the events the SDK yields
    usage_reported: bool = True


def is_stream(interaction: Interaction) -> bool:
    return (interaction.response.header("content-type") or "").startswith("text/event-stream")


def _chat_usage(recorded: Recorded, usage: dict[str, Any] | None) -> None:
    if not usage:
        recorded.usage_reported = False
        return
    recorded.input_tokens = usage.get("prompt_tokens")
    recorded.output_tokens = usage.get("completion_tokens")
    recorded.cache_read = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    recorded.reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens")


def _responses_usage(recorded: Recorded, usage: dict[str, Any] | None) -> None:
    if not usage:
        recorded.usage_reported = False
        return
    recorded.input_tokens = usage.get("input_tokens")
    recorded.output_tokens = usage.get("output_tokens")
    recorded.cache_read = (usage.get("input_tokens_details") or {}).get("cached_tokens")
    recorded.reasoning = (usage.get("output_tokens_details") or {}).get("reasoning_tokens")


def _choices(body: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(body.get("choices") or [], key=lambda c: c.get("index", 0))


def chat_or_completion(interaction: Interaction) -> Recorded:
    if is_stream(interaction):
        return _chat_stream(recorded_sse_events(interaction))
    body = recorded_json(interaction)
    recorded = Recorded(
        id=body.get("id"),
        model=body.get("model"),
        service_tier=body.get("service_tier"),
        finish_reasons=[c["finish_reason"] for c in _choices(body) if c.get("finish_reason")],
    )
    for choice in _choices(body):
        message = choice.get("message") or {}
        recorded.tool_calls += [(c["id"], c["function"]["name"]) for c in message.get("tool_calls") or []]
        if message.get("function_call"):
            recorded.tool_calls.append((None, message["function_call"]["name"]))
    _chat_usage(recorded, body.get("usage"))
    return recorded


def _chat_stream(events: list[Any]) -> Recorded:
    finish: dict[int, str] = {}
    calls: dict[tuple[int, int], list[str | None]] = {}
    usage = None
    for event in events:
        usage = event.get("usage") or usage
        for choice in event.get("choices") or []:
            if choice.get("finish_reason"):
                finish[choice["index"]] = choice["finish_reason"]
            for call in (choice.get("delta") or {}).get("tool_calls") or []:
                entry = calls.setdefault((choice["index"], call["index"]), [None, None])
                entry[0] = call.get("id") or entry[0]
                entry[1] = (call.get("function") or {}).get("name") or entry[1]
    recorded = Recorded(
        id=events[0]["id"],
        model=next(e["model"] for e in reversed(events) if e.get("model")),
        finish_reasons=[finish[i] for i in sorted(finish)],
        chunks=len(events),
        tool_calls=[(entry[0], entry[1]) for _, entry in sorted(calls.items())],
        service_tier=events[-1].get("service_tier"),
    )
    _chat_usage(recorded, usage)
    return recorded


def _responses_finish(body: dict[str, Any]) -> list[str]:
    status = body.get("status")
    if status == "completed":
        calls = any(item.get("type") == "function_call" for item in body.get("output") or [])
        return ["tool_calls" if calls else "stop"]
    if status == "incomplete":
        return [(body.get("incomplete_details") or {}).get("reason") or "incomplete"]
    return {"failed": ["error"], "cancelled": ["cancelled"]}.get(str(status), [])


def responses(interaction: Interaction) -> Recorded:
    if is_stream(interaction):
        events = recorded_sse_events(interaction)
        body = next(e["response"] for e in reversed(events) if e["type"].startswith("response.") and "response" in e)
    else:
        events, body = None, recorded_json(interaction)
    recorded = Recorded(
        id=body.get("id"),
        model=body.get("model"),
        finish_reasons=_responses_finish(body),
        service_tier=body.get("service_tier"),
        chunks=None if events is None else len(events),
        tool_calls=[
            (i.get("call_id"), i.get("name")) for i in body.get("output") or [] if i.get("type") == "function_call"
        ],
    )
    _responses_usage(recorded, body.get("usage"))
    return recorded


def embeddings(interaction: Interaction) -> Recorded:
    body = recorded_json(interaction)
    vector = body["data"][0]["embedding"]
    dimensions = len(vector) if isinstance(vector, list) else len(base64.b64decode(vector)) // 4  # float32
    return Recorded(
        id=None,
        model=body.get("model"),
        finish_reasons=[],
        dimensions=dimensions,
        input_tokens=body["usage"]["prompt_tokens"],
    )


def error_message(interaction: Interaction) -> str:
    return str(recorded_json(interaction)["error"]["message"])
