"""Reading a captured trace as a tree, and the recorded responses the tests replay."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import Interaction, cassette_path, load_cassette, recorded_json

LANGCHAIN_SCOPE = "huggingplace_instrumentation_langchain"


def recorded(vendor: str, cassette: str, index: int = 0) -> Interaction:
    return load_cassette(cassette_path(vendor, cassette))[index]


def recorded_usage(interaction: Interaction) -> tuple[int, int]:
    """(input, output) tokens as the provider reported them in the recording."""
    usage = recorded_json(interaction)["usage"]
    if "prompt_tokens" in usage:
        return usage["prompt_tokens"], usage["completion_tokens"]
    cached = usage.get("cache_read_input_tokens") or 0
    created = usage.get("cache_creation_input_tokens") or 0
    return usage["input_tokens"] + cached + created, usage["output_tokens"]


def parent_of(span: ReadableSpan, spans: list[ReadableSpan]) -> ReadableSpan | None:
    if span.parent is None:
        return None
    for other in spans:
        if other.context.span_id == span.parent.span_id:
            return other
    return None


def inference_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [s for s in spans if s.kind is SpanKind.CLIENT and sc.GEN_AI_OPERATION_NAME in (s.attributes or {})
            and s.attributes[sc.GEN_AI_OPERATION_NAME] in (sc.OP_CHAT, sc.OP_TEXT_COMPLETION)]


def tree(spans: list[ReadableSpan]) -> list[str]:
    """``name <- parent name`` lines in start order: the shape a test asserts."""
    ordered = sorted(spans, key=lambda s: s.start_time or 0)
    lines = []
    for span in ordered:
        parent = parent_of(span, spans)
        lines.append(f"{span.name} <- {parent.name if parent else '-'}")
    return lines


def attr(span: ReadableSpan, key: str) -> Any:
    return (span.attributes or {}).get(key)
