"""Shared by the hooks: argument access, the client's server, and the platform session id."""

from __future__ import annotations

from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk import current_session
from huggingplace_sdk.engine import server_attributes

PROVIDER = "payman"


def argument(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else None


def client_server(client: Any) -> dict[str, AttributeValue]:
    return server_attributes(getattr(client, "base_url", None))


def session_attributes(session_id: object) -> dict[str, AttributeValue]:
    """The platform session id, always; as ``session.id`` too unless the user's ``session()`` is open
    (``session()`` promises its id on every span inside it)."""
    if not isinstance(session_id, str) or not session_id:
        return {}
    attributes: dict[str, AttributeValue] = {sc.HP_PAYMAN_SESSION_ID: session_id}
    if current_session() is None:
        attributes[sc.SESSION_ID] = session_id
        attributes[sc.GEN_AI_CONVERSATION_ID] = session_id
    return attributes
