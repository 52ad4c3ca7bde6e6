"""The engine's stream contract through a real boto3 client, for both Bedrock streams (``converse_stream``'s
``stream`` and ``invoke_model_with_response_stream``'s ``body``, each a botocore ``EventStream``).

botocore's EventStream has ``close()`` but is no context manager, so the contract's two ``with`` paths do not
exist for it; their Bedrock forms (leaving the loop by an exception, then closing in ``finally`` or not at
all) are tested below.
"""

from __future__ import annotations

import gc
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.eventstream import EventStream
from botocore.exceptions import EventStreamError
from huggingplace_instrumentation_bedrock import BedrockInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import error_type_of
from huggingplace_sdk.testing import (
    ContractError,
    ReplayServer,
    SpanCapture,
    StreamCall,
    cassette_path,
    check_sync_exit_path,
    decoded_body,
)

from ._recorded import call, client, encode_frame, frames, interactions

CONVERSE = cassette_path("bedrock", "test_meta__test_meta_converse_stream")
INVOKE = cassette_path("bedrock", "test_nova__test_nova_invoke_stream")
NO_WITH_PATHS = ("drain", "break_then_gc", "close", "never_iterated", "provider_error")


def _opener(cassette: Any) -> Any:
    (interaction,) = interactions(cassette)
    key = "stream" if interaction.request.path.endswith("converse-stream") else "body"

    def open_stream(base_url: str) -> Any:
        return call(client(base_url), interaction)[key]

    return open_stream


STREAMS = {"converse_stream": CONVERSE, "invoke_model_with_response_stream": INVOKE}


@pytest.mark.parametrize("path", NO_WITH_PATHS)
@pytest.mark.parametrize("operation", sorted(STREAMS))
def test_stream_exit_path_ends_one_span(operation: str, path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    cassette = STREAMS[operation]
    span = check_sync_exit_path(path, StreamCall(cassette=cassette, open=_opener(cassette)), span_capture)
    attrs = span.attributes or {}
    if path == "drain":
        assert attrs[sc.HP_STREAM_CHUNKS] == len(frames(interactions(cassette)[0]))
    if path in ("break_then_gc", "close", "provider_error"):  # partial: usage only once the provider sent it
        assert sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attrs


@pytest.mark.parametrize("operation", sorted(STREAMS))
def test_user_exception_then_close_in_finally_is_an_error(operation: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    with ReplayServer(STREAMS[operation]) as server:
        stream = _opener(STREAMS[operation])(server.base_url)
        with pytest.raises(ContractError):
            try:
                for _ in stream:
                    raise ContractError("raised by the caller inside the loop")
            finally:
                stream.close()
    span = span_capture.only_span()
    attrs = span.attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == "error"
    assert attrs[sc.ERROR_TYPE] == error_type_of(ContractError())


@pytest.mark.parametrize("operation", sorted(STREAMS))
def test_user_exception_without_close_is_abandoned(operation: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    with ReplayServer(STREAMS[operation]) as server:
        stream = _opener(STREAMS[operation])(server.base_url)
        with pytest.raises(ContractError):
            for _ in stream:
                raise ContractError("raised by the caller inside the loop")
        del stream
        gc.collect()
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == "abandoned"
    assert attrs[sc.ERROR_TYPE] == "abandoned"


@pytest.mark.parametrize("operation", sorted(STREAMS))
def test_stream_keeps_its_type_and_methods(operation: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(BedrockInstrumentor())
    with ReplayServer(STREAMS[operation]) as server:
        stream = _opener(STREAMS[operation])(server.base_url)
        assert type(stream) is EventStream
        assert callable(stream.close) and callable(stream.get_initial_response)
        assert len(list(stream)) == len(frames(interactions(STREAMS[operation])[0]))
    assert span_capture.only_span().attributes[sc.HP_STREAM_OUTCOME] == "completed"  # type: ignore[index]


def test_an_exception_event_mid_stream_ends_the_span_as_an_error(tmp_path: Path, span_capture: SpanCapture) -> None:
    """Bedrock reports a failure inside the stream as an exception frame; botocore raises it as
    EventStreamError while the caller iterates. The recording is cut after two events and given one."""
    span_capture.instrument(BedrockInstrumentor())
    data = yaml.safe_load(CONVERSE.read_text())
    response = data["interactions"][0]["response"]
    recorded = decoded_body(interactions(CONVERSE)[0])
    end = 0
    for _ in range(2):  # each frame starts with its total length
        end += struct.unpack(">I", recorded[end:end + 4])[0]
    first_two = recorded[:end]
    failure = encode_frame({":message-type": "exception", ":exception-type": "modelStreamErrorException",
                      ":content-type": "application/json"}, b'{"message":"model failed mid-stream"}')
    response["body"]["string"] = first_two + failure
    cassette = tmp_path / CONVERSE.name
    cassette.write_text(yaml.safe_dump(data))
    with ReplayServer(cassette) as server:
        stream = _opener(cassette)(server.base_url)
        seen = 0
        with pytest.raises(EventStreamError) as raised:
            for _ in stream:
                seen += 1
    assert seen == 2
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_STREAM_OUTCOME] == "error"
    assert attrs[sc.ERROR_TYPE] == error_type_of(raised.value)
    assert attrs[sc.HP_STREAM_CHUNKS] == 3
