"""Which invocation observes which openai stream, so the SDK's helper streams can report their close.

``chat.completions.stream()`` and ``responses.stream()`` wrap the stream our ``create`` span observes in a
helper (``ChatCompletionStream``, ``ResponseStream``) whose ``close()`` closes the HTTP response directly,
bypassing the stream's own ``close``. Hooking the helper's ``close`` lets leaving its ``with`` block early
end the span as closed early instead of waiting for garbage collection.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from huggingplace_sdk.engine import EngineRef, Invocation, report_internal_error

_invocation_of_stream: weakref.WeakKeyDictionary[Any, Invocation] = weakref.WeakKeyDictionary()

# (module, class) of the helper streams; each has ``_raw_stream`` and a (sync or async) ``close``.
HELPER_STREAMS = (
    ("openai.lib.streaming.chat._completions", "ChatCompletionStream"),
    ("openai.lib.streaming.chat._completions", "AsyncChatCompletionStream"),
    ("openai.lib.streaming.responses._responses", "ResponseStream"),
    ("openai.lib.streaming.responses._responses", "AsyncResponseStream"),
)


def observe_stream(stream: Any, invocation: Invocation) -> Any:
    """Observe an openai ``Stream``/``AsyncStream`` in place and remember who observes it."""
    observed = invocation.observe(stream)
    try:
        _invocation_of_stream[observed] = invocation
    except TypeError:
        pass  # not weak-referenceable: the helper close then ends the span at collection
    return observed


def helper_init_hook(engine: EngineRef) -> Callable[..., None]:
    """The Hook factory for the helper streams' ``__init__`` (the engine is not needed: the stream's
    invocation is looked up)."""
    return after_helper_init


def after_helper_init(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """wrapt wrapper for a helper stream's ``__init__``: hook its close if its raw stream is ours."""
    wrapped(*args, **kwargs)
    try:
        raw_stream = getattr(instance, "_raw_stream", None)
        invocation = None if raw_stream is None else _invocation_of_stream.get(raw_stream)
        if invocation is not None:
            invocation.hook_close(instance, "close")
    except Exception as exc:  # never break the caller's helper stream
        report_internal_error("openai helper stream", exc)
