"""One assembled interaction -> the log options of one HuggingPlace log (caller-side field names).

The client's ``_wire`` rules (``build_encoded_log``) turn these options into the wire body, so the exporter and the
client send byte-for-byte the same format.

The root span is the interaction itself, whatever it is (a ``trace_step``, a bare LLM call, a web
framework's server span): ``step_data`` holds its descendants only, in start order, and the root's name,
kind, status and error go to the log's own fields and ``metadata``. (A partial interaction has no root: all
its spans are steps.)

Text fields: the root step's ``user_question``/``prompt_response`` when it is a user step; otherwise the
first LLM call's last user message and the last LLM call's output text, which exist only when content
capture is on. Without content the log carries :data:`CONTENT_NOT_CAPTURED`.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from typing import Any, Final

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc

from ._assembly import Interaction

CONTENT_NOT_CAPTURED: Final = "[content not captured]"

STEP_TYPE_LLM: Final = "llm"
STEP_TYPE_TOOL: Final = "tool"
STEP_TYPE_AGENT: Final = "agent"
STEP_TYPE_SPAN: Final = "span"  # any other span (platform operations, HTTP spans of other instrumentations)

_INFERENCE_OPERATIONS: Final = frozenset(
    {sc.OP_CHAT, sc.OP_TEXT_COMPLETION, sc.OP_GENERATE_CONTENT, sc.OP_EMBEDDINGS}
)
# Namespace for message ids: uuid5(namespace, trace id + root span id) is stable across retries/restarts.
_MESSAGE_ID_NAMESPACE: Final = uuid.UUID("5d1f3c8e-8d0b-4f57-9a43-6f1f0c2b7e11")


def message_id_for(trace_id: int, anchor_span_id: int, *, partial: bool) -> str:
    suffix = "-partial" if partial else ""
    return uuid.uuid5(_MESSAGE_ID_NAMESPACE, f"{trace_id:032x}-{anchor_span_id:016x}{suffix}").hex


def attributes_of(span: ReadableSpan) -> dict[str, Any]:
    """A plain-dict copy: one pass over the SDK's locked mapping instead of a locked lookup per field."""
    attributes = span.attributes
    return dict(attributes) if attributes else {}


def step_type(attributes: Mapping[str, Any]) -> str:
    declared = attributes.get(sc.HP_STEP_TYPE)
    if isinstance(declared, str) and declared:
        return declared
    operation = attributes.get(sc.GEN_AI_OPERATION_NAME)
    if operation in _INFERENCE_OPERATIONS:
        return STEP_TYPE_LLM
    if operation == sc.OP_EXECUTE_TOOL:
        return STEP_TYPE_TOOL
    if operation == sc.OP_INVOKE_AGENT:
        return STEP_TYPE_AGENT
    return STEP_TYPE_SPAN


def interaction_to_log_options(interaction: Interaction) -> dict[str, Any]:
    """Build the log options (``user_prompt``, ``response``, ``step_data`` ...) for one interaction."""
    spans = sorted(interaction.spans, key=_start_key)
    all_attributes = [attributes_of(span) for span in spans]
    root = interaction.root
    anchor = root if root is not None else spans[0]
    root_attributes = all_attributes[spans.index(anchor)]
    root_is_user_step = root is not None and sc.HP_STEP_TYPE in root_attributes

    steps: list[dict[str, Any]] = []
    llm_attributes: list[dict[str, Any]] = []
    for span, attributes in zip(spans, all_attributes, strict=True):
        kind = step_type(attributes)
        if kind == STEP_TYPE_LLM:
            llm_attributes.append(attributes)
        if span is root:
            continue  # the root is the log itself, never one of its steps
        steps.append(_step(span, attributes, kind))

    models: list[str] = []
    input_tokens = output_tokens = 0
    for attributes in llm_attributes:
        model = _model(attributes)
        if model is not None and model not in models:
            models.append(model)
        input_tokens += _int(attributes.get(sc.GEN_AI_USAGE_INPUT_TOKENS))
        output_tokens += _int(attributes.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS))

    user_prompt = _str(root_attributes.get(sc.HP_STEP_USER_QUESTION)) if root_is_user_step else None
    response = _str(root_attributes.get(sc.HP_STEP_PROMPT_RESPONSE)) if root_is_user_step else None
    if user_prompt is None and llm_attributes:
        user_prompt = _last_user_text(llm_attributes[0].get(sc.GEN_AI_INPUT_MESSAGES))
    if response is None and llm_attributes:
        response = _output_text(llm_attributes[-1].get(sc.GEN_AI_OUTPUT_MESSAGES))

    session = _session_fields(root_attributes, all_attributes)
    anchor_id = anchor.context.span_id if anchor.context is not None else 0
    if root is None:
        # A partial interaction is named after the missing parent of its earliest span.
        anchor_id = anchor.parent.span_id if anchor.parent is not None else anchor_id
    status = _status(root) if root is not None else "partial"
    metadata: dict[str, Any] = {
        "trace_id": f"{interaction.trace_id:032x}",
        "root_span_id": f"{anchor_id:016x}",
        "span_count": len(spans),
        "status": status,
        "partial": interaction.partial,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
    }
    metadata.update(_cost_metadata(llm_attributes))
    if interaction.dropped_spans:
        metadata["dropped_spans"] = interaction.dropped_spans
    if root is not None:
        metadata["root_name"] = root.name
        metadata["root_kind"] = root.kind.name.lower()
        error = _error(root)
        if error is not None:
            metadata["error"] = error
    if root is not None and root_is_user_step:
        metadata["step_type"] = root_attributes.get(sc.HP_STEP_TYPE)
        name = root_attributes.get(sc.HP_STEP_NAME)
        if name is not None:
            metadata["step_name"] = name

    options: dict[str, Any] = {
        "message_id": message_id_for(interaction.trace_id, anchor_id, partial=interaction.partial),
        "user_prompt": user_prompt if user_prompt is not None else CONTENT_NOT_CAPTURED,
        "response": response if response is not None else CONTENT_NOT_CAPTURED,
        "token_count": input_tokens + output_tokens,
        "response_time": _duration(root) if root is not None else _extent(spans),
        "metadata": metadata,
        "step_data": steps,
    }
    if models:
        options["llm_model"] = models[0]
    if len(models) > 1:
        options["llm_model2"] = models[1]
    options.update(session)
    return options


def _step(span: ReadableSpan, attributes: Mapping[str, Any], kind: str) -> dict[str, Any]:
    parent = span.parent
    if kind == STEP_TYPE_LLM:
        question = _last_user_text(attributes.get(sc.GEN_AI_INPUT_MESSAGES))
        answer = _output_text(attributes.get(sc.GEN_AI_OUTPUT_MESSAGES))
        input_tokens = _int(attributes.get(sc.GEN_AI_USAGE_INPUT_TOKENS))
        output_tokens = _int(attributes.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS))
    else:
        question = _str(attributes.get(sc.HP_STEP_USER_QUESTION))
        answer = _str(attributes.get(sc.HP_STEP_PROMPT_RESPONSE))
        if kind == STEP_TYPE_TOOL:
            if question is None:
                question = _str(attributes.get(sc.GEN_AI_TOOL_CALL_ARGUMENTS))
            if answer is None:
                answer = _str(attributes.get(sc.GEN_AI_TOOL_CALL_RESULT))
        # User steps carry the roll-up of the LLM calls beneath them.
        input_tokens = _int(attributes.get(sc.HP_STEP_USAGE_INPUT))
        output_tokens = _int(attributes.get(sc.HP_STEP_USAGE_OUTPUT))
    step: dict[str, Any] = {
        "id": f"{span.context.span_id:016x}" if span.context is not None else None,
        "parent_id": f"{parent.span_id:016x}" if parent is not None and not parent.is_remote else None,
        "type": kind,
        "name": _step_name(span, attributes),
        "user_question": question if question is not None else "",
        "prompt_response": answer if answer is not None else "",
        "token": input_tokens + output_tokens,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "response_time": _duration(span),
        "llm_model": _model(attributes),
        "status": _status(span),
        "error": _error(span),
    }
    cost = attributes.get(sc.HP_COST_AMOUNT if kind == STEP_TYPE_LLM else sc.HP_STEP_COST_AMOUNT)
    if _is_amount(cost):
        step["cost_usd"] = cost
    if kind == STEP_TYPE_TOOL and attributes.get(sc.GEN_AI_TOOL_CALL_ID) is not None:
        step["tool_call_id"] = attributes.get(sc.GEN_AI_TOOL_CALL_ID)
    return step


def _cost_metadata(llm_attributes: list[dict[str, Any]]) -> dict[str, Any]:
    """The interaction's spend: each LLM call once, from its own span (steps' roll-ups would count twice)."""
    priced = [a[sc.HP_COST_AMOUNT] for a in llm_attributes if _is_amount(a.get(sc.HP_COST_AMOUNT))]
    unpriced = sum(1 for a in llm_attributes if a.get(sc.HP_COST_STATUS) == sc.COST_UNPRICED)
    if not priced and not unpriced:
        return {}
    cost: dict[str, Any] = {"cost_usd": math.fsum(priced), "cost_currency": sc.COST_CURRENCY_USD}
    if unpriced:
        cost["unpriced_llm_calls"] = unpriced
    return cost


def _is_amount(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _session_fields(
    root_attributes: Mapping[str, Any], all_attributes: list[dict[str, Any]]
) -> dict[str, Any]:
    """session_id/user_id/user_metadata from the root, else the first span that carries them."""
    fields: dict[str, Any] = {}
    for attributes in (root_attributes, *all_attributes):
        session_id = attributes.get(sc.SESSION_ID) or attributes.get(sc.GEN_AI_CONVERSATION_ID)
        if session_id is not None:
            fields["session_id"] = str(session_id)
            user_id = attributes.get(sc.USER_ID)
            if user_id is not None:
                fields["user_id"] = str(user_id)
            user_metadata = {
                key[len(sc.HP_SESSION_METADATA_PREFIX):]: _json_value(value)
                for key, value in attributes.items()
                if key.startswith(sc.HP_SESSION_METADATA_PREFIX)
            }
            if user_metadata:
                fields["user_metadata"] = user_metadata
            break
    return fields


def _step_name(span: ReadableSpan, attributes: Mapping[str, Any]) -> str:
    for key in (sc.HP_STEP_NAME, sc.GEN_AI_TOOL_NAME):
        value = attributes.get(key)
        if isinstance(value, str) and value:
            return value
    return span.name


def _model(attributes: Mapping[str, Any]) -> str | None:
    model = attributes.get(sc.GEN_AI_RESPONSE_MODEL) or attributes.get(sc.GEN_AI_REQUEST_MODEL)
    return str(model) if model is not None else None


def _status(span: ReadableSpan) -> str:
    code = span.status.status_code
    if code is StatusCode.ERROR:
        return "error"
    return "ok"


def _error(span: ReadableSpan) -> str | None:
    if span.status.status_code is not StatusCode.ERROR:
        return None
    attributes = span.attributes or {}
    error_type = attributes.get(sc.ERROR_TYPE)
    description = span.status.description
    if error_type is not None and description:
        return f"{error_type}: {description}"
    if error_type is not None:
        return str(error_type)
    for event in span.events:
        if event.name == "exception" and event.attributes:
            return str(event.attributes.get("exception.type", "exception"))
    return description or "error"


def _duration(span: ReadableSpan) -> float:
    if span.start_time is None or span.end_time is None:
        return 0.0
    return max(0, span.end_time - span.start_time) / 1e9


def _extent(spans: list[ReadableSpan]) -> float:
    starts = [s.start_time for s in spans if s.start_time is not None]
    ends = [s.end_time for s in spans if s.end_time is not None]
    if not starts or not ends:
        return 0.0
    return max(0, max(ends) - min(starts)) / 1e9


def _start_key(span: ReadableSpan) -> int:
    return span.start_time or 0


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return 0
    return int(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _json_value(value: Any) -> Any:
    """Span attribute values may be tuples (sequences); JSON wants lists."""
    return list(value) if isinstance(value, tuple) else value


def _load_messages(raw: Any) -> list[Any]:
    if not isinstance(raw, str):
        return []
    try:
        messages = json.loads(raw)
    except ValueError:
        return []
    return messages if isinstance(messages, list) else []


def _text_of(message: Any) -> str | None:
    if not isinstance(message, dict):
        return None
    parts = message.get("parts")
    if not isinstance(parts, list):
        return None
    texts = [
        part["content"]
        for part in parts
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("content"), str)
    ]
    return "".join(texts) if texts else None


def _last_user_text(raw: Any) -> str | None:
    for message in reversed(_load_messages(raw)):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message)
    return None


def _output_text(raw: Any) -> str | None:
    for message in _load_messages(raw):
        text = _text_of(message)
        if text is not None:
            return text
    return None
