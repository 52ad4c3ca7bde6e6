"""Results of ``with_raw_response`` / ``with_streaming_response`` calls, and the default result handling.

A raw call returns an API response object (``LegacyAPIResponse``, ``APIResponse``, ``AsyncAPIResponse``)
whose body the caller reads later through ``parse()``. We never read it first: ``parse`` is shadowed on the
instance and the span is finished with what the caller's ``parse()`` returned (a stream is observed from
then on). A response never parsed ends its span when it is closed or collected, without response data.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

from huggingplace_sdk.engine import Invocation, report_internal_error

from ._streams import observe_stream


def _is_stream(value: Any) -> bool:
    """An openai ``Stream`` / ``AsyncStream`` (observed in place through its ``_iterator``)."""
    return hasattr(value, "_iterator") and hasattr(value, "response")


def _is_api_response(value: Any) -> bool:
    return hasattr(value, "http_response") and callable(getattr(type(value), "parse", None))


def handle_result(result: Any, invocation: Invocation) -> Any:
    """The Target result handler for every openai method we wrap; returns ``result`` itself."""
    if _is_api_response(result):
        _hook_api_response(result, invocation)
        return result
    if invocation.request.stream:
        if _is_stream(result):
            return observe_stream(result, invocation)
        if inspect.isgenerator(result) or inspect.isasyncgen(result):  # e.g. a patched or fake client
            return invocation.observe(result)
    invocation.finish(result)
    return result


class _RawState:
    __slots__ = ("parsed",)

    def __init__(self) -> None:
        self.parsed: str | None = None  # "stream" or "response"; never the object (it must stay collectable)


def _end_if_unparsed(state: _RawState, invocation: Invocation) -> None:
    if state.parsed is None:
        invocation.end()


def _on_parsed(state: _RawState, invocation: Invocation, parsed: Any) -> Any:
    if state.parsed is not None:
        return parsed  # parse() again (cached, or to another type): the span already has it
    state.parsed = "stream" if _is_stream(parsed) else "response"
    try:
        if state.parsed == "stream":
            return observe_stream(parsed, invocation)
        invocation.finish(parsed)
    except Exception as exc:
        invocation.end()
        report_internal_error("openai raw response", exc)
    return parsed


def _on_close(state: _RawState, invocation: Invocation) -> None:
    if state.parsed is None:
        invocation.end()
    elif state.parsed == "stream":
        invocation.stream_closed_by_caller()  # closing the response closes its stream (no-op if ended)


def _hook_api_response(response: Any, invocation: Invocation) -> None:
    state = _RawState()
    cls = type(response)
    owner = weakref.ref(response)  # the shadows must not keep the response alive (finalize below)
    parse = cls.parse
    if inspect.iscoroutinefunction(parse):

        async def async_parse(*args: Any, **kwargs: Any) -> Any:
            return _on_parsed(state, invocation, await parse(owner(), *args, **kwargs))

        response.parse = async_parse
    else:

        def sync_parse(*args: Any, **kwargs: Any) -> Any:
            return _on_parsed(state, invocation, parse(owner(), *args, **kwargs))

        response.parse = sync_parse
    close = getattr(cls, "close", None)
    if callable(close):
        if inspect.iscoroutinefunction(close):

            async def async_close(*args: Any, **kwargs: Any) -> Any:
                _on_close(state, invocation)
                return await close(owner(), *args, **kwargs)

            response.close = async_close
        else:

            def sync_close(*args: Any, **kwargs: Any) -> Any:
                _on_close(state, invocation)
                return close(owner(), *args, **kwargs)

            response.close = sync_close
    weakref.finalize(response, _end_if_unparsed, state, invocation)
