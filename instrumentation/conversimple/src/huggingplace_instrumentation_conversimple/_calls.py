"""Shared by the hooks: the platform conversation id and the agent's credential."""

from __future__ import annotations

from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import platform_session_attributes

PROVIDER = "conversimple"


def conversation_attributes(conversation_id: object) -> dict[str, AttributeValue]:
    """The conversation id (``session.id`` too unless the user's ``session()`` is open)."""
    return platform_session_attributes(sc.HP_CONVERSIMPLE_CONVERSATION_ID, conversation_id)


def secrets_of(agent: Any) -> tuple[str, ...]:
    key = getattr(agent, "api_key", None)
    return (key,) if isinstance(key, str) and key else ()
