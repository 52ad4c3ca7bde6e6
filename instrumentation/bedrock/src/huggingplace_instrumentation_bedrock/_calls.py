"""botocore's client call path (``BaseClient._make_api_call``) for the four bedrock-runtime model calls.

Every boto3 client, whenever created, calls the service through ``_make_api_call(operation_name, params)``:
one wrapped method covers them all. The target's filter lets every other operation and service through
before any other work. Only ``params`` is read (never the signed request), so no credential or signature
can reach a span.
"""

from __future__ import annotations

import io
import json
import weakref
from collections.abc import Mapping
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Invocation, Recorder, Request, report_internal_error, server_of

from . import _content, _converse, _invoke, _usage
from ._converse import StreamState

PROVIDER = sc.PROVIDER_AWS_BEDROCK
SERVICE = "bedrock-runtime"
CONVERSE, CONVERSE_STREAM = "Converse", "ConverseStream"
INVOKE, INVOKE_STREAM = "InvokeModel", "InvokeModelWithResponseStream"
OPERATIONS = frozenset((CONVERSE, CONVERSE_STREAM, INVOKE, INVOKE_STREAM))
_STREAMS = frozenset((CONVERSE_STREAM, INVOKE_STREAM))
_CONVERSE_CALLS = frozenset((CONVERSE, CONVERSE_STREAM))


def is_bedrock_model_call(instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """The target filter: a model call of a bedrock-runtime client (anything else passes straight through)."""
    operation = args[0] if args else kwargs.get("operation_name")
    if operation not in OPERATIONS:
        return False
    model = getattr(instance, "_service_model", None)
    return getattr(model, "service_name", None) == SERVICE


def _operation_and_params(call: Call) -> tuple[str, Mapping[str, Any]]:
    args = call.args
    operation = args[0] if args else call.kwargs["operation_name"]
    params = args[1] if len(args) > 1 else call.kwargs.get("api_params")
    return operation, params if isinstance(params, Mapping) else {}


class _InvokeResult:
    """What ``read_response`` gets for an ``invoke_model``: the body read once, and the response headers."""

    __slots__ = ("body", "headers", "request_id")

    def __init__(self, body: Mapping[str, Any] | None, headers: Any, request_id: Any) -> None:
        self.body, self.headers, self.request_id = body, headers, request_id


class BedrockCodec:
    """Reads the four model calls. Stream events are read by the result handler (see ``observe_events``)."""

    def read_request(self, call: Call) -> Request:
        operation, params = _operation_and_params(call)
        model = params.get("modelId")
        model_id = model if isinstance(model, str) else None
        host, port = server_of(getattr(getattr(call.instance, "_endpoint", None), "host", None))
        if operation in _CONVERSE_CALLS:
            return Request(
                sc.OP_CHAT, PROVIDER, model_id, stream=operation == CONVERSE_STREAM,
                attributes=_converse.request_attributes(params), server_address=host, server_port=port,
                input_messages=lambda: _content.messages_of(params.get("messages")),
                system_instructions=lambda: _content.system_of(params.get("system")),
                tool_definitions=lambda: _content.converse_tools(params.get("toolConfig")),
            )
        body = _invoke.parse_body(params.get("body"))
        request = Request(
            _invoke.operation_of(model_id or "", body), PROVIDER, model_id, stream=operation == INVOKE_STREAM,
            attributes=_invoke.request_attributes(params, body), server_address=host, server_port=port,
        )
        if body is not None:
            request.input_messages = lambda: _invoke.input_messages(body)
            request.system_instructions = lambda: _invoke.system_instructions(body)
            request.tool_definitions = lambda: _invoke.tool_definitions(body)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        guarded = recorder_guarded(recorder)
        if isinstance(result, _InvokeResult):
            if isinstance(result.request_id, str) and result.request_id:
                recorder.set_attribute(sc.AWS_REQUEST_ID, result.request_id)
            found = result.body is not None and _invoke.read_response(result.body, recorder, guarded)
            if not found:
                _usage.from_headers(result.headers, recorder)
            return
        if isinstance(result, Mapping):
            _request_id(result, recorder)
            _converse.read_response(result, recorder, guarded)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Raw event-stream messages: their parsed events are read in ``observe_events``."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


def recorder_guarded(recorder: Recorder) -> bool:
    """Whether the call named a guardrail (then Converse's stop reason tells its action, NONE included)."""
    request = getattr(recorder, "request", None)
    return request is not None and sc.AWS_BEDROCK_GUARDRAIL_ID in request.attributes


def _request_id(result: Mapping[str, Any], recorder: Recorder) -> None:
    metadata = result.get("ResponseMetadata")
    request_id = metadata.get("RequestId") if isinstance(metadata, Mapping) else None
    if isinstance(request_id, str) and request_id:
        recorder.set_attribute(sc.AWS_REQUEST_ID, request_id)


# --- results -----------------------------------------------------------------------------------------
def handle_result(result: Any, invocation: Invocation) -> Any:
    """The target's result handler: the caller always gets ``result`` itself, with the same objects in it."""
    if not isinstance(result, dict):
        invocation.finish(result)
        return result
    if invocation.request.stream:
        stream = result.get("stream") if "stream" in result else result.get("body")
        if hasattr(stream, "_event_generator") and hasattr(stream, "_parse_event"):
            _request_id(result, invocation)
            observe_events(stream, invocation, "stream" in result)
            return result
        invocation.finish(result)
        return result
    if "body" in result:
        _finish_invoke(result, invocation)
    else:
        invocation.finish(result)
    return result


def _finish_invoke(result: dict[str, Any], invocation: Invocation) -> None:
    """Read the body once and give the caller an identical, unread ``StreamingBody`` over the same bytes."""
    from botocore.response import StreamingBody  # botocore is loaded: this is its call

    metadata = result.get("ResponseMetadata") or {}
    headers, request_id = metadata.get("HTTPHeaders"), metadata.get("RequestId")
    body = result["body"]
    if type(body) is not StreamingBody:
        invocation.finish(_InvokeResult(None, headers, request_id))
        return
    try:
        data = body.read()
    except Exception as exc:  # the caller's own read() raises the same error, where it would have
        result["body"] = StreamingBody(_FailedRead(exc), None)
        invocation.fail(exc)
        return
    result["body"] = StreamingBody(io.BytesIO(data), len(data))
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    invocation.finish(_InvokeResult(parsed if isinstance(parsed, Mapping) else None, headers, request_id))


class _FailedRead:
    """A raw stream whose read raises the error the original body raised."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    def read(self, amt: int | None = None) -> bytes:
        raise self._error

    def close(self) -> None:
        """Nothing to release: the original body failed."""


def observe_events(stream: Any, invocation: Invocation, converse: bool) -> None:
    """Observe a botocore ``EventStream`` in place: the engine follows its raw message generator (every exit
    path ends the span once); the events the caller gets are read as its own ``_parse_event`` makes them, so
    nothing is parsed twice and an in-stream exception event ends the span as an error."""
    invocation.observe(stream, iterator_attr="_event_generator")
    parse = type(stream)._parse_event
    owner = weakref.ref(stream)  # no cycle: an abandoned stream is still collected
    state = StreamState(recorder_guarded(invocation))
    read = _converse.read_event if converse else _read_invoke_chunk

    def parse_event(event: Any) -> Any:
        target = owner()
        try:
            parsed = parse(target, event)
        except BaseException as exc:
            invocation.stream_failed(exc)
            raise
        if parsed:
            try:
                read(parsed, invocation, state)
            except Exception as exc:
                report_internal_error("read_chunk", exc)
        return parsed

    stream._parse_event = parse_event


# Text and tool-argument deltas (Anthropic, Nova) hold nothing but content: without content capture, and
# without a Bedrock field (guardrail action, metrics), they are not decoded at all.
_CONTENT_ONLY_PREFIXES = (b'{"type":"content_block_delta"', b'{"contentBlockDelta"')
_BEDROCK_FIELD = b'"amazon-bedrock-'


def _read_invoke_chunk(event: Mapping[str, Any], recorder: Recorder, state: StreamState) -> None:
    chunk = event.get("chunk")
    data = chunk.get("bytes") if isinstance(chunk, Mapping) else None
    if data:
        if (not recorder.capture_content and data.startswith(_CONTENT_ONLY_PREFIXES)
                and _BEDROCK_FIELD not in data):
            return
        try:
            decoded = json.loads(data)
        except ValueError:  # not JSON (a proxy's page, a cut chunk): the caller decodes it, we skip it
            return
        if isinstance(decoded, Mapping):
            _invoke.read_chunk(decoded, recorder, state)
