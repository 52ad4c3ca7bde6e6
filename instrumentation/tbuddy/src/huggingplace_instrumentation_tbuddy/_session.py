"""The platform's session id: always in its own attribute; ``session.id`` too unless ``session()`` is open.

``session()`` promises that every span inside it carries the user's session id, so an open user session
wins; without one, the platform's session is the best session the span has.
"""

from __future__ import annotations

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk import current_session


def session_attributes(session_id: object) -> dict[str, AttributeValue]:
    if not isinstance(session_id, str) or not session_id:
        return {}
    attributes: dict[str, AttributeValue] = {sc.HP_TBUDDY_SESSION_ID: session_id}
    if current_session() is None:
        attributes[sc.SESSION_ID] = session_id
        attributes[sc.GEN_AI_CONVERSATION_ID] = session_id
    return attributes
