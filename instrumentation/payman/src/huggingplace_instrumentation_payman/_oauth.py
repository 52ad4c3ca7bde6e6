"""The OAuth token request (``PaymanClient._initialize_access_token``) as a ``payman.oauth_token`` span.

It records the grant type and the outcome only: never the token, the refresh token, the authorization
code, the client secret or the Basic credentials (the SDK's error messages contain the token URL, whose
query carries the code or refresh token, so no error message is recorded here at all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import EngineRef, Operation, argument_of, guarded, report_internal_error

from ._calls import PROVIDER, client_server, record_http_status

OAUTH_SPAN = f"{PROVIDER}.oauth_token"


def grant_type(auth_code: Any, refresh_token: Any) -> str:
    # The SDK's own precedence: a refresh token first, then an authorization code, else client credentials.
    if refresh_token:
        return "refresh_token"
    return "authorization_code" if auth_code else "client_credentials"


def make_token_wrapper(engine_ref: EngineRef) -> Callable[..., Any]:
    def initialize_access_token(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                                kwargs: dict[str, Any]) -> Any:
        engine = engine_ref()
        # While another thread fetches, the SDK returns at once without a request: nothing to trace.
        if engine is None or getattr(instance, "is_initializing", False):
            return wrapped(*args, **kwargs)
        auth_code = argument_of(args, kwargs, 0, "auth_code")
        refresh_token = argument_of(args, kwargs, 1, "refresh_token")
        try:
            attributes: dict[str, AttributeValue | None] = {
                sc.GEN_AI_PROVIDER_NAME: PROVIDER,
                sc.HP_PAYMAN_GRANT_TYPE: grant_type(auth_code, refresh_token),
                **client_server(instance),
            }
            operation = engine.start_operation(OAUTH_SPAN, kind=SpanKind.CLIENT, attributes=attributes)
        except Exception as exc:
            report_internal_error("payman.oauth.start", exc)
            return wrapped(*args, **kwargs)
        token = otel_context.attach(trace.set_span_in_context(operation.span))
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            guarded("payman.oauth.fail", _fail, operation, exc)
            raise
        finally:
            otel_context.detach(token)
        operation.end()
        return result

    return initialize_access_token


def _fail(operation: Operation, error: BaseException) -> None:
    try:
        operation.record_error(error, with_message=False)  # its message quotes the token URL: never recorded
        record_http_status(operation, error)
    finally:
        operation.end()
