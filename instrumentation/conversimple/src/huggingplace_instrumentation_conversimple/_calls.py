"""Shared by the hooks: argument access, the platform conversation id, scrubbed failures."""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import StatusCode
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk import current_session
from huggingplace_sdk.engine import Operation, error_type_of, scrub_secrets

PROVIDER = "conversimple"


def argument(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else None


def conversation_attributes(conversation_id: object) -> dict[str, AttributeValue]:
    """The conversation id, always; as ``session.id`` too unless the user's ``session()`` is open
    (``session()`` promises its id on every span inside it)."""
    if not isinstance(conversation_id, str) or not conversation_id:
        return {}
    attributes: dict[str, AttributeValue] = {sc.HP_CONVERSIMPLE_CONVERSATION_ID: conversation_id}
    if current_session() is None:
        attributes[sc.SESSION_ID] = conversation_id
        attributes[sc.GEN_AI_CONVERSATION_ID] = conversation_id
    return attributes


def secrets_of(agent: Any) -> tuple[str, ...]:
    key = getattr(agent, "api_key", None)
    return (key,) if isinstance(key, str) and key else ()


def record_failure(operation: Operation, error: BaseException, secrets: tuple[str, ...]) -> None:
    """error.type and status; the exception's message scrubbed of credentials (URLs carry the key)."""
    error_type = error_type_of(error)
    operation.record_error(error_type)
    message = scrub_secrets(str(error), secrets)[:1024]
    operation.span.set_status(StatusCode.ERROR, message or None)
    operation.add_event(sc.EXCEPTION_EVENT, {sc.EXCEPTION_TYPE: error_type, sc.EXCEPTION_MESSAGE: message})
