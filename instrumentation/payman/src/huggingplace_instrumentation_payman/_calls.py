"""Shared by the hooks: the client's server, its platform session id, and its credentials."""

from __future__ import annotations

import base64
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Operation, platform_session_attributes, server_attributes

PROVIDER = "payman"


def client_server(client: Any) -> dict[str, AttributeValue]:
    return server_attributes(getattr(client, "base_url", None))


def session_attributes(session_id: object) -> dict[str, AttributeValue]:
    """The platform's session id (``session.id`` too unless the user's ``session()`` is open)."""
    return platform_session_attributes(sc.HP_PAYMAN_SESSION_ID, session_id)


def secrets_of(client: Any) -> tuple[str, ...]:
    """Every credential value the client holds, and its Basic-auth encoding."""
    config = getattr(client, "config", None) or {}
    values = [config.get("client_secret") if isinstance(config, dict) else None,
              getattr(client, "access_token", None), getattr(client, "refresh_token", None)]
    client_id = config.get("client_id") if isinstance(config, dict) else None
    secret = values[0]
    if isinstance(client_id, str) and isinstance(secret, str):
        values.append(base64.b64encode(f"{client_id}:{secret}".encode()).decode())
    return tuple(v for v in values if isinstance(v, str) and v)


def record_http_status(operation: Operation, error: BaseException) -> None:
    """The HTTP status of a ``requests`` error, which its class alone does not tell."""
    status = getattr(getattr(error, "response", None), "status_code", None)
    operation.set_attribute(sc.HTTP_RESPONSE_STATUS_CODE, status if isinstance(status, int) else None)
