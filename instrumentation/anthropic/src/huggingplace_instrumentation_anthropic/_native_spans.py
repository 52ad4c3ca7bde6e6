"""anthropic >= 2 starts its own GenAI span per API call (``start_api_call_span``) when it has a tracer.

Inside a call our adapter traces, that span would be a second inference span for the same call (tokens
counted twice). The SDK imports the function by name into ``anthropic._base_client``; our Hook there
returns None, the SDK's documented "no span" path (the request is then sent exactly as with its tracing
off: no SDK attempt records, no SDK trace headers). Any other call keeps the SDK's span.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huggingplace_sdk.engine import EngineRef, Hook, wrapped_call_engine

NATIVE_SPAN_HOOK_MODULE = "anthropic._base_client"
NATIVE_SPAN_HOOK_NAME = "start_api_call_span"


def _skip_inside_our_calls(engine: EngineRef) -> Callable[..., Any]:
    def start_api_call_span(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                            kwargs: dict[str, Any]) -> Any:
        ours = engine()
        if ours is not None and wrapped_call_engine() is ours:
            return None  # our span already covers this call
        return wrapped(*args, **kwargs)

    return start_api_call_span


# Releases before anthropic 2 have no such function: the instrumentor skips the hook silently.
NATIVE_SPAN_HOOK = Hook(NATIVE_SPAN_HOOK_MODULE, NATIVE_SPAN_HOOK_NAME, _skip_inside_our_calls)
