"""The ``messages.stream()`` helper: traced when its request is made, i.e. when the manager is entered.

``stream()`` does not go through ``create``: it returns a (Async)MessageStreamManager holding the pending
request (a ``functools.partial`` of the client's ``post``, or for async an un-awaited ``post`` coroutine),
and the HTTP request happens in ``__enter__`` / ``__aenter__``. Those are the wrapped methods, so a
manager that is never entered costs nothing and leaves no span. The span follows the raw Stream that
the helper's MessageStream reads, so ``text_stream``, ``get_final_message()`` and ``get_final_text()``
keep working unchanged and end it like any other stream.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from huggingplace_sdk.engine import Call, Request, server_of

from ._messages import MessagesCodec


class StreamManagerCodec(MessagesCodec):
    """Reads the request a stream manager is about to send; responses and events as any Messages stream."""

    def __init__(self) -> None:
        super().__init__(always_streams=True)

    def read_request(self, call: Call) -> Request:
        client, body = _pending_request(call.instance)
        request = super().read_request(Call(None, (), body, call.options))
        request.server_address, request.server_port = server_of(getattr(client, "base_url", None))
        return request


def observe_raw_stream(result: Any, invocation: Any) -> Any:
    """Result handler: observe the raw Stream inside the helper's MessageStream (``result``), returned as is."""
    invocation.observe(result._raw_stream)
    # Older releases (e.g. 0.40) close the HTTP response directly, never the raw stream's close().
    invocation.hook_close(result)
    return result


def _pending_request(manager: Any) -> tuple[Any, dict[str, Any]]:
    """The client and the JSON body of the request a manager holds (name-mangled ``__api_request``)."""
    pending = next(
        (value for name, value in vars(manager).items() if name.endswith("__api_request")), None
    )
    if isinstance(pending, functools.partial):
        return getattr(pending.func, "__self__", None), dict(pending.keywords.get("body") or {})
    if inspect.iscoroutine(pending) and pending.cr_frame is not None:
        # An un-awaited coroutine's frame already holds its arguments.
        arguments = pending.cr_frame.f_locals
        return arguments.get("self"), dict(arguments.get("body") or {})
    return None, {}
