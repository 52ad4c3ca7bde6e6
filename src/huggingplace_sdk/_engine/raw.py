"""Raw responses of Stainless-generated SDKs (openai, anthropic): ``with_raw_response`` and
``with_streaming_response`` calls.

Such a call returns an API response object (``LegacyAPIResponse``, ``APIResponse``, ``AsyncAPIResponse``)
whose body the caller reads later through ``parse()``. We never read it first: ``parse`` is shadowed on the
instance and the span is finished with what the caller's ``parse()`` returned (a stream is observed from
then on). A ``parse()`` that raises (an invalid JSON body) ends the span at once as failed. A response never
parsed ends its span when it is closed or collected, without response data.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from typing import Any

from .guard import report_internal_error
from .invocation import Invocation
from .spec import ResultHandler

# Observes a vendor stream for an invocation and returns the object to give the caller (the same one).
StreamObserver = Callable[[Any, Invocation], Any]


def _observe_in_place(stream: Any, invocation: Invocation) -> Any:
    return invocation.observe(stream, iterator_attr="_iterator")  # Stainless streams (is_sdk_stream)


def is_sdk_stream(value: Any) -> bool:
    """A Stainless ``Stream`` / ``AsyncStream`` (observed in place through its ``_iterator``)."""
    return hasattr(value, "_iterator") and hasattr(value, "response")


# Per result type: whether its instances are API responses. Asking a pydantic model (every plain result) for
# an attribute it lacks runs pydantic's __getattr__ and raises inside it; once per type is enough.
_api_response_types: dict[type, bool] = {}


def is_api_response(value: Any) -> bool:
    kind = type(value)
    known = _api_response_types.get(kind)
    if known is None:
        known = hasattr(value, "http_response") and callable(getattr(kind, "parse", None))
        if len(_api_response_types) < 1024:  # a bound, in case types are made on the fly
            _api_response_types[kind] = known
    return known


def raw_response_handler(observe_stream: StreamObserver | None = None) -> ResultHandler:
    """A Target result handler for Stainless SDK methods: raw responses are finished at ``parse()``,
    streams observed in place (through ``observe_stream`` when the adapter needs to track them), anything
    else finished at once. The caller always gets ``result`` itself."""
    observer = observe_stream or _observe_in_place

    def handle_result(result: Any, invocation: Invocation) -> Any:
        if is_api_response(result):
            observe_raw_response(result, invocation, observer)
            return result
        if invocation.request.stream:
            if is_sdk_stream(result):
                return observer(result, invocation)
            if inspect.isgenerator(result) or inspect.isasyncgen(result):  # e.g. a patched or fake client
                return invocation.observe(result)
        invocation.finish(result)
        return result

    return handle_result


class _RawState:
    __slots__ = ("parsed",)

    def __init__(self) -> None:
        # "stream", "response" or "failed"; never the object (it must stay collectable)
        self.parsed: str | None = None


def _on_parse_failed(state: _RawState, invocation: Invocation, exc: BaseException) -> None:
    """The caller's ``parse()`` raised (e.g. an invalid JSON body): the call failed, its span ends now."""
    if state.parsed is None:
        state.parsed = "failed"
        invocation.fail(exc)


def _end_if_unparsed(state: _RawState, invocation: Invocation) -> None:
    if state.parsed is None:
        invocation.end()


def _on_parsed(state: _RawState, invocation: Invocation, observer: StreamObserver, parsed: Any) -> Any:
    if state.parsed is not None:
        return parsed  # parse() again (cached, or to another type): the span already has it
    state.parsed = "stream" if is_sdk_stream(parsed) else "response"
    try:
        if state.parsed == "stream":
            return observer(parsed, invocation)
        invocation.finish(parsed)
    except Exception as exc:
        invocation.end()
        report_internal_error("raw response", exc)
    return parsed


def _on_close(state: _RawState, invocation: Invocation) -> None:
    if state.parsed is None:
        invocation.end()
    elif state.parsed == "stream":
        invocation.stream_closed_by_caller()  # closing the response closes its stream (no-op if ended)


def observe_raw_response(response: Any, invocation: Invocation, observe_stream: StreamObserver | None = None) -> None:
    """Finish ``invocation`` from the caller's own ``response.parse()``; end it bare at close or collection."""
    state = _RawState()
    observer = observe_stream or _observe_in_place
    cls = type(response)
    parse = cls.parse
    # The parse shadow holds the response itself: ``create(...).parse()`` drops the caller's last reference
    # before parse runs. That cycle lasts only until the first parse, which removes the shadow (the class's
    # parse, with its cache, serves later calls); a response never parsed is ended when the cycle is collected.
    if inspect.iscoroutinefunction(parse):

        async def async_parse(*args: Any, **kwargs: Any) -> Any:
            try:
                parsed = await parse(response, *args, **kwargs)
            except BaseException as exc:
                vars(response).pop("parse", None)
                _on_parse_failed(state, invocation, exc)
                raise
            vars(response).pop("parse", None)
            return _on_parsed(state, invocation, observer, parsed)

        response.parse = async_parse
    else:

        def sync_parse(*args: Any, **kwargs: Any) -> Any:
            try:
                parsed = parse(response, *args, **kwargs)
            except BaseException as exc:
                vars(response).pop("parse", None)
                _on_parse_failed(state, invocation, exc)
                raise
            vars(response).pop("parse", None)
            return _on_parsed(state, invocation, observer, parsed)

        response.parse = sync_parse
    close = getattr(cls, "close", None)
    if callable(close):
        owner = weakref.ref(response)  # the close shadow must not keep the response alive
        if inspect.iscoroutinefunction(close):

            async def async_close(*args: Any, **kwargs: Any) -> Any:
                _on_close(state, invocation)
                target = owner()
                return None if target is None else await close(target, *args, **kwargs)

            response.close = async_close
        else:

            def sync_close(*args: Any, **kwargs: Any) -> Any:
                _on_close(state, invocation)
                target = owner()
                return None if target is None else close(target, *args, **kwargs)

            response.close = sync_close
    weakref.finalize(response, _end_if_unparsed, state, invocation)
