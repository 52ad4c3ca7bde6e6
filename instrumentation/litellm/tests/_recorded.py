"""What a recorded litellm cassette interaction says, read from the recording alone (never from our code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huggingplace_sdk.testing import Interaction, recorded_json, recorded_request_json, recorded_sse_events

# LiteLLM answers in OpenAI's vocabulary: how it names Anthropic's stop reasons (litellm's documented mapping).
ANTHROPIC_STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
                          "tool_use": "tool_calls"}


@dataclass
class Recorded:
    kind: str  # chat | embeddings | responses
    provider: str
    request: dict[str, Any]
    stream: bool
    response_id: str | None = None  # None: LiteLLM makes its own id (Anthropic chat)
    response_model: str | None = None
    finish_reasons: tuple[str, ...] = ()
    usage: dict[str, int] = field(default_factory=dict)  # our usage attribute suffix -> count
    text: str = ""
    reasoning: str = ""
    dimensions: int | None = None


def recorded(interaction: Interaction) -> Recorded:
    path = interaction.request.path
    body = recorded_request_json(interaction)
    stream = bool(body.get("stream"))
    if path.endswith("/chat/completions"):
        return _openai_chat(body, recorded_json(interaction))
    if path.endswith("/messages"):
        return _anthropic(body, interaction, stream)
    if path.endswith("/embeddings"):
        response = recorded_json(interaction)
        return Recorded("embeddings", "openai", body, False, response_model=response["model"],
                        usage={"input_tokens": response["usage"]["prompt_tokens"]},
                        dimensions=len(response["data"][0]["embedding"]))
    if path.endswith("/responses"):
        if stream:
            events = recorded_sse_events(interaction)
            final = next(e["response"] for e in events if e.get("type") == "response.completed")
            text = "".join(e["delta"] for e in events if e.get("type") == "response.output_text.delta")
            return _responses(body, final, stream, text)
        response = recorded_json(interaction)
        text = "".join(part["text"] for item in response["output"] if item["type"] == "message"
                       for part in item["content"] if part["type"] == "output_text")
        return _responses(body, response, stream, text)
    raise AssertionError(f"no reader for {path}")


def _openai_chat(body: dict[str, Any], response: dict[str, Any]) -> Recorded:
    usage = response["usage"]
    return Recorded(
        "chat", "openai", body, False, response_id=response["id"], response_model=response["model"],
        finish_reasons=tuple(c["finish_reason"] for c in response["choices"]),
        usage={"input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"],
               "cache_read.input_tokens": usage["prompt_tokens_details"]["cached_tokens"],
               "reasoning.output_tokens": usage["completion_tokens_details"]["reasoning_tokens"]},
        text=response["choices"][0]["message"]["content"],
    )


def _anthropic(body: dict[str, Any], interaction: Interaction, stream: bool) -> Recorded:
    if stream:
        events = recorded_sse_events(interaction)
        start = next(e["message"] for e in events if e.get("type") == "message_start")
        delta = next(e for e in events if e.get("type") == "message_delta")
        usage, stop_reason, model = {**start["usage"], **delta["usage"]}, delta["delta"]["stop_reason"], start["model"]
        deltas = [e["delta"] for e in events if e.get("type") == "content_block_delta"]
        text = "".join(d.get("text", "") for d in deltas)
        reasoning = "".join(d.get("thinking", "") for d in deltas)
        thinking = usage.get("output_tokens_details", {}).get("thinking_tokens")
    else:
        response = recorded_json(interaction)
        usage, stop_reason, model = response["usage"], response["stop_reason"], response["model"]
        text = "".join(block.get("text", "") for block in response["content"])
        reasoning, thinking = "", None
    cache_read, cache_creation = usage.get("cache_read_input_tokens", 0), usage.get("cache_creation_input_tokens", 0)
    counts = {"input_tokens": usage["input_tokens"] + cache_read + cache_creation,
              "output_tokens": usage["output_tokens"], "cache_read.input_tokens": cache_read,
              "cache_creation.input_tokens": cache_creation}
    if thinking is not None:
        counts["reasoning.output_tokens"] = thinking
    # A LiteLLM stream's chunks carry the requested model name, not the one Anthropic answered with.
    return Recorded("chat", "anthropic", body, stream, response_model=None if stream else model,
                    finish_reasons=(ANTHROPIC_STOP_REASONS[stop_reason],), usage=counts, text=text,
                    reasoning=reasoning)


def _responses(body: dict[str, Any], response: dict[str, Any], stream: bool, text: str) -> Recorded:
    usage = response["usage"]
    has_call = any(item["type"] == "function_call" for item in response["output"])
    return Recorded(
        "responses", "openai", body, stream, response_id=response["id"], response_model=response["model"],
        finish_reasons=("tool_calls" if has_call else "stop",) if response["status"] == "completed" else (),
        usage={"input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"],
               "cache_read.input_tokens": usage["input_tokens_details"]["cached_tokens"],
               "reasoning.output_tokens": usage["output_tokens_details"]["reasoning_tokens"]},
        text=text,
    )
