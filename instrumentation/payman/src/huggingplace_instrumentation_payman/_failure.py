"""Records a failed call without its message leaking credentials (token URLs carry codes and tokens)."""

from __future__ import annotations

import base64
from typing import Any

from opentelemetry.trace import StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Operation, error_type_of, scrub_secrets


def secrets_of(client: Any, *extra: Any) -> tuple[str, ...]:
    """Every credential value the client holds, and its Basic-auth encoding."""
    config = getattr(client, "config", None) or {}
    values = [config.get("client_secret") if isinstance(config, dict) else None,
              getattr(client, "access_token", None), getattr(client, "refresh_token", None), *extra]
    client_id = config.get("client_id") if isinstance(config, dict) else None
    secret = values[0]
    if isinstance(client_id, str) and isinstance(secret, str):
        values.append(base64.b64encode(f"{client_id}:{secret}".encode()).decode())
    return tuple(v for v in values if isinstance(v, str) and v)


def http_status_of(error: BaseException) -> int | None:
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def record_failure(operation: Operation, error: BaseException, secrets: tuple[str, ...], *,
                   with_message: bool = True) -> None:
    """error.type and status from the exception; its message (scrubbed) only when ``with_message``."""
    error_type = error_type_of(error)
    operation.record_error(error_type)
    status = http_status_of(error)
    if status is not None:
        operation.set_attribute(sc.HTTP_RESPONSE_STATUS_CODE, status)
    attributes = {sc.EXCEPTION_TYPE: error_type}
    if with_message:
        message = scrub_secrets(str(error), secrets)[:1024]
        operation.span.set_status(StatusCode.ERROR, message or None)
        attributes[sc.EXCEPTION_MESSAGE] = message
    operation.add_event(sc.EXCEPTION_EVENT, attributes)
