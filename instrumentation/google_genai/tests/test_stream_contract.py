"""The engine's stream contract through the real google-genai client, on a Gemini API and a Vertex recording:
every exit path of ``models.generate_content_stream`` (a generator) and of the async form (an async
generator), and the caller keeping the vendor's own stream type."""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

import pytest
from huggingplace_instrumentation_google_genai import GoogleGenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ASYNC_EXIT_PATHS,
    SYNC_EXIT_PATHS,
    ContractError,
    ReplayServer,
    SpanCapture,
    StreamCall,
    cassette_path,
    check_async_exit_path,
    check_sync_exit_path,
    load_cassette,
)

from ._drive import client_for, generate_kwargs, model_of, recorded_payloads

GEMINI = cassette_path("google-genai", "test_instrumentation__test_streaming_text_content")
VERTEX = cassette_path("google-genai",
                       "generate_content__test_streaming[logcontent-gemini-2.5-flash-vertexaiapi-sync-default]")


def _stream_call(path: Any) -> StreamCall:
    [interaction] = load_cassette(path)
    assert len(recorded_payloads(interaction)) >= 3  # enough events to break after the second

    def open_sync(base_url: str) -> Any:
        return client_for(interaction, base_url).models.generate_content_stream(**generate_kwargs(interaction))

    async def open_async(base_url: str) -> Any:
        models = client_for(interaction, base_url).aio.models
        return await models.generate_content_stream(**generate_kwargs(interaction))

    return StreamCall(cassette=path, open=open_sync, open_async=open_async, close_method="close", fault_after=2)


CALLS = {"gemini": (GEMINI, _stream_call(GEMINI)), "vertex": (VERTEX, _stream_call(VERTEX))}


@pytest.mark.parametrize("backend", sorted(CALLS))
@pytest.mark.parametrize("path", SYNC_EXIT_PATHS)
def test_sync_stream_exit_path_ends_one_span(path: str, backend: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor())
    cassette, call = CALLS[backend]
    span = check_sync_exit_path(path, call, span_capture)
    assert span.name == f"generate_content {model_of(load_cassette(cassette)[0])}"


# An async generator closed by ``async with aclosing(...)`` because of an exception cannot tell that from a plain
# aclose(): asyncio's aclose() carries no trace of the exception being handled (a sync generator's close() does,
# as GeneratorExit.__context__). That path is checked below on its own terms.
ASYNC_CONTRACT_PATHS = tuple(path for path in ASYNC_EXIT_PATHS if path != "user_exception")


@pytest.mark.parametrize("backend", sorted(CALLS))
@pytest.mark.parametrize("path", ASYNC_CONTRACT_PATHS)
async def test_async_stream_exit_path_ends_one_span(path: str, backend: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor())
    cassette, call = CALLS[backend]
    async_call = StreamCall(cassette=call.cassette, open_async=call.open_async, close_method="aclose",
                            fault_after=call.fault_after)
    span = await check_async_exit_path(path, async_call, span_capture)
    assert span.name == f"generate_content {model_of(load_cassette(cassette)[0])}"


def test_sync_stream_stays_a_generator_with_the_same_chunks(span_capture: SpanCapture) -> None:
    [interaction] = load_cassette(GEMINI)
    with ReplayServer(GEMINI, repeat=True) as server:
        client = client_for(interaction, server.base_url)
        plain = list(client.models.generate_content_stream(**generate_kwargs(interaction)))
        span_capture.instrument(GoogleGenAIInstrumentor())
        stream = client.models.generate_content_stream(**generate_kwargs(interaction))
        assert inspect.isgenerator(stream)
        chunks = list(stream)
    assert [type(c) for c in chunks] == [type(c) for c in plain]
    assert [c.text for c in chunks] == [c.text for c in plain]
    assert len(span_capture.spans()) == 1


async def test_async_stream_stays_an_async_generator_with_the_same_chunks(span_capture: SpanCapture) -> None:
    [interaction] = load_cassette(VERTEX)
    with ReplayServer(VERTEX, repeat=True) as server:
        client = client_for(interaction, server.base_url)
        plain = [c async for c in await client.aio.models.generate_content_stream(**generate_kwargs(interaction))]
        span_capture.instrument(GoogleGenAIInstrumentor())
        stream = await client.aio.models.generate_content_stream(**generate_kwargs(interaction))
        assert inspect.isasyncgen(stream)
        chunks = [c async for c in stream]
    assert [c.text for c in chunks] == [c.text for c in plain]
    assert len(span_capture.spans()) == 1


@pytest.mark.parametrize("backend", sorted(CALLS))
async def test_async_user_exception_passes_through_and_ends_the_span_once(backend: str,
                                                                          span_capture: SpanCapture) -> None:
    span_capture.instrument(GoogleGenAIInstrumentor())
    cassette, call = CALLS[backend]
    assert call.open_async is not None
    with ReplayServer(cassette, repeat=True) as server, pytest.raises(ContractError) as raised:
        async with contextlib.aclosing(await call.open_async(server.base_url)) as stream:
            async for _ in stream:
                raise ContractError("raised by the caller inside the loop")
    assert type(raised.value) is ContractError
    span = span_capture.only_span()
    attrs = dict(span.attributes or {})
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_CLOSED_EARLY
    assert attrs[sc.HP_STREAM_CHUNKS] == 1
    assert span.end_time is not None
