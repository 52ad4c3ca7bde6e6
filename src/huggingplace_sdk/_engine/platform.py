"""Small readers shared by the platform adapters' hooks: call arguments and the platform's session id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.util.types import AttributeValue

from .. import _semconv as sc
from .._context import current_session


def argument_of(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str,
                default: Any = None) -> Any:
    """A call argument given by keyword or by position (``index`` counts after ``self``)."""
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def platform_session_attributes(key: str, session_id: object) -> dict[str, AttributeValue]:
    """The platform's session id under ``key``, always; as ``session.id`` and ``gen_ai.conversation.id``
    too unless the user's ``session()`` is open, since that promises its own id on every span inside it."""
    if not isinstance(session_id, str) or not session_id:
        return {}
    attributes: dict[str, AttributeValue] = {key: session_id}
    if current_session() is None:
        attributes[sc.SESSION_ID] = session_id
        attributes[sc.GEN_AI_CONVERSATION_ID] = session_id
    return attributes
