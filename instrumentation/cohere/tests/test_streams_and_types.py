"""The stream contract on every exit path a generator has, for v1 (NDJSON) and v2 (SSE) ``chat_stream``,
sync and async; ``type(result)`` unchanged; one span for a batched ``embed``; errors pass unchanged."""

from __future__ import annotations

import inspect
from typing import Any

import cohere
import httpx
import pytest
from huggingplace_instrumentation_cohere import CohereInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import (
    ASYNC_EXIT_PATHS,
    SYNC_EXIT_PATHS,
    ReplayServer,
    SpanCapture,
    StreamCall,
    cassette_path,
    check_async_exit_path,
    check_sync_exit_path,
    load_cassette,
)

from ._recorded import call_of, response_json, stream_events

V1_STREAM = cassette_path("cohere", "test_chat__test_cohere_chat_legacy_with_streaming")
V2_STREAM = cassette_path("cohere", "test_chat__test_cohere_v2_chat_legacy_with_streaming")
V2_PLAIN = cassette_path("cohere", "test_chat__test_cohere_v2_chat_legacy")
EMBED = cassette_path("cohere", "test_embed__test_cohere_v2_embed_legacy")

# cohere's chat_stream returns a generator: it has no ``with`` block, so the paths that leave one do not apply.
WITH_PATHS = ("break_in_with", "user_exception")
SYNC_PATHS = [p for p in SYNC_EXIT_PATHS if p not in WITH_PATHS]
ASYNC_PATHS = [p for p in ASYNC_EXIT_PATHS if p not in WITH_PATHS]


def _stream_call(cassette: Any) -> StreamCall:
    version, _, kwargs = call_of(load_cassette(cassette)[0])
    sync_class, async_class = (cohere.ClientV2, cohere.AsyncClientV2) if version == "v2" else (
        cohere.Client, cohere.AsyncClient)

    def open_sync(base_url: str) -> Any:
        return sync_class(api_key="co-test", base_url=base_url).chat_stream(**kwargs)

    async def open_async(base_url: str) -> Any:
        return async_class(api_key="co-test", base_url=base_url).chat_stream(**kwargs)

    return StreamCall(cassette=cassette, open=open_sync, open_async=open_async, close_method="close")


def test_the_left_out_paths_are_only_the_with_block_ones() -> None:
    assert set(SYNC_EXIT_PATHS) - set(SYNC_PATHS) == set(WITH_PATHS)
    assert set(ASYNC_EXIT_PATHS) - set(ASYNC_PATHS) == set(WITH_PATHS)


@pytest.mark.parametrize("cassette", [V1_STREAM, V2_STREAM], ids=["v1", "v2"])
@pytest.mark.parametrize("path", SYNC_PATHS)
def test_sync_stream_exit_path_ends_one_span(cassette: Any, path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(CohereInstrumentor())
    span = check_sync_exit_path(path, _stream_call(cassette), span_capture)
    assert span.name == "chat command"


@pytest.mark.parametrize("cassette", [V1_STREAM, V2_STREAM], ids=["v1", "v2"])
@pytest.mark.parametrize("path", ASYNC_PATHS)
async def test_async_stream_exit_path_ends_one_span(cassette: Any, path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(CohereInstrumentor())
    call = _stream_call(cassette)
    call = StreamCall(cassette=call.cassette, open_async=call.open_async, close_method="aclose")
    span = await check_async_exit_path(path, call, span_capture)
    assert span.name == "chat command"


def test_partial_v2_stream_keeps_its_id_and_invents_no_usage(span_capture: SpanCapture) -> None:
    events = stream_events(load_cassette(V2_STREAM)[0])
    span_capture.instrument(CohereInstrumentor())
    with ReplayServer(V2_STREAM) as server:
        stream = _stream_call(V2_STREAM).open(server.base_url)  # type: ignore[misc]
        for _ in range(3):
            next(stream)
        stream.close()
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_CLOSED_EARLY
    assert attributes[sc.GEN_AI_RESPONSE_ID] == events[0]["id"]
    assert attributes[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT  # usage comes with message-end only
    assert sc.GEN_AI_RESPONSE_FINISH_REASONS not in attributes


async def test_result_types_are_the_vendors_own(span_capture: SpanCapture) -> None:
    _, _, kwargs = call_of(load_cassette(V2_PLAIN)[0])
    with ReplayServer(V2_PLAIN) as server:
        bare = type(cohere.ClientV2(api_key="co-test", base_url=server.base_url).chat(**kwargs))
    span_capture.instrument(CohereInstrumentor())
    with ReplayServer(V2_PLAIN) as server:
        assert type(cohere.ClientV2(api_key="co-test", base_url=server.base_url).chat(**kwargs)) is bare
    with ReplayServer(V2_STREAM) as server:
        stream = _stream_call(V2_STREAM).open(server.base_url)  # type: ignore[misc]
        assert inspect.isgenerator(stream)
        assert len(list(stream)) == len(stream_events(load_cassette(V2_STREAM)[0]))
    with ReplayServer(V2_STREAM) as server:
        async_stream = await _stream_call(V2_STREAM).open_async(server.base_url)  # type: ignore[misc]
        assert inspect.isasyncgen(async_stream)
        assert len([event async for event in async_stream]) == len(stream_events(load_cassette(V2_STREAM)[0]))
    assert len(span_capture.spans()) == 3


def test_batched_v1_embed_is_one_span(span_capture: SpanCapture) -> None:
    recorded = response_json(load_cassette(EMBED)[0])
    sent: list[Any] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={**recorded, "response_type": "embeddings_by_type"})

    span_capture.instrument(CohereInstrumentor())
    client = cohere.Client(api_key="co-test", base_url="http://cohere.test",
                           httpx_client=httpx.Client(transport=httpx.MockTransport(respond)))
    texts = [f"text {i}" for i in range(200)]  # more than one batch (cohere sends 96 texts a request)
    client.embed(texts=texts, model="embed-english-v3.0", input_type="search_document", embedding_types=["float"])
    assert len(sent) > 1
    span = span_capture.only_span()  # the caller's one call, however many requests the client made
    assert span.name == "embeddings embed-english-v3.0"
    assert list((span.attributes or {})[sc.GEN_AI_REQUEST_ENCODING_FORMATS]) == ["float"]


def test_api_error_passes_unchanged(span_capture: SpanCapture) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"message": "slow down"})

    span_capture.instrument(CohereInstrumentor())
    client = cohere.ClientV2(api_key="co-test", base_url="http://cohere.test",
                             httpx_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(cohere.errors.TooManyRequestsError) as raised:
        client.chat(model="command-r", messages=[{"role": "user", "content": "hi"}], temperature=0.3, max_tokens=9)
    assert raised.value.status_code == 429
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.ERROR_TYPE].endswith("TooManyRequestsError")
    assert attributes[sc.GEN_AI_REQUEST_TEMPERATURE] == 0.3
    assert attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] == 9
    assert attributes[sc.SERVER_ADDRESS] == "cohere.test"
