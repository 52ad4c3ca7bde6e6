"""The stream contract on every exit path a plain generator has (sync and async), ``type(result)``
unchanged, and ``embed`` (no recording of it exists: served by ``httpx.MockTransport``)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import ollama
import pytest
from huggingplace_instrumentation_ollama import OllamaInstrumentor

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

from ._recorded import call_kwargs, response_objects

STREAMED = cassette_path("ollama", "test_chat__test_ollama_streaming_chat_legacy")
PLAIN = cassette_path("ollama", "test_chat__test_ollama_chat_legacy")
_, KWARGS = call_kwargs(load_cassette(STREAMED)[0])
CHUNKS = response_objects(load_cassette(STREAMED)[0])

# ollama streams are plain generators: they have no ``with`` block, so the paths that leave one do not apply.
WITH_PATHS = ("break_in_with", "user_exception")
SYNC_PATHS = [p for p in SYNC_EXIT_PATHS if p not in WITH_PATHS]
ASYNC_PATHS = [p for p in ASYNC_EXIT_PATHS if p not in WITH_PATHS]


def _open(base_url: str) -> Any:
    return ollama.Client(host=base_url).chat(**KWARGS)


async def _open_async(base_url: str) -> Any:
    return await ollama.AsyncClient(host=base_url).chat(**KWARGS)


def test_the_left_out_paths_are_only_the_with_block_ones() -> None:
    assert set(SYNC_EXIT_PATHS) - set(SYNC_PATHS) == set(WITH_PATHS)
    assert set(ASYNC_EXIT_PATHS) - set(ASYNC_PATHS) == set(WITH_PATHS)


@pytest.mark.parametrize("path", SYNC_PATHS)
def test_sync_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(OllamaInstrumentor())
    span = check_sync_exit_path(path, StreamCall(cassette=STREAMED, open=_open), span_capture)
    assert span.name == f"chat {KWARGS['model']}"


@pytest.mark.parametrize("path", ASYNC_PATHS)
async def test_async_stream_exit_path_ends_one_span(path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(OllamaInstrumentor())
    call = StreamCall(cassette=STREAMED, open_async=_open_async, close_method="aclose")
    span = await check_async_exit_path(path, call, span_capture)
    assert span.name == f"chat {KWARGS['model']}"


def test_partial_stream_keeps_no_invented_usage(span_capture: SpanCapture) -> None:
    span_capture.instrument(OllamaInstrumentor())
    with ReplayServer(STREAMED) as server:
        stream = _open(server.base_url)
        for _ in range(3):
            next(stream)
        stream.close()
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.HP_STREAM_OUTCOME] == sc.STREAM_CLOSED_EARLY
    assert attributes[sc.HP_STREAM_CHUNKS] == 3
    assert attributes[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT  # usage comes only with the last chunk
    assert sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attributes
    assert attributes[sc.GEN_AI_RESPONSE_MODEL] == CHUNKS[0]["model"]


async def test_result_types_are_the_vendors_own(span_capture: SpanCapture) -> None:
    span_capture.instrument(OllamaInstrumentor())
    with ReplayServer(PLAIN) as server:
        assert type(ollama.Client(host=server.base_url).chat(**call_kwargs(load_cassette(PLAIN)[0])[1])) is \
            ollama.ChatResponse
    with ReplayServer(STREAMED) as server:
        stream = _open(server.base_url)
        assert inspect.isgenerator(stream)
        assert len(list(stream)) == len(CHUNKS)
    with ReplayServer(STREAMED) as server:
        async_stream = await _open_async(server.base_url)
        assert inspect.isasyncgen(async_stream)
        assert len([chunk async for chunk in async_stream]) == len(CHUNKS)
    assert len(span_capture.spans()) == 3


EMBED_REPLY = {"model": "all-minilm", "embeddings": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
               "total_duration": 14143917, "load_duration": 1019500, "prompt_eval_count": 8}


def _embed_transport(seen: list[Any]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=EMBED_REPLY)
    return httpx.MockTransport(handle)


def test_embed_records_dimension_usage_and_durations(span_capture: SpanCapture) -> None:
    seen: list[Any] = []
    span_capture.instrument(OllamaInstrumentor(), capture_content=True)
    client = ollama.Client(host="http://ollama.internal:11434", transport=_embed_transport(seen))
    result = client.embed(model="all-minilm", input=["a", "b"])
    assert type(result) is ollama.EmbedResponse
    assert seen[0]["input"] == ["a", "b"]
    span = span_capture.only_span()
    attributes = span.attributes or {}
    assert span.name == "embeddings all-minilm"
    assert attributes[sc.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] == len(EMBED_REPLY["embeddings"][0])
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == EMBED_REPLY["prompt_eval_count"]
    assert attributes[sc.OLLAMA_RESPONSE_TOTAL_DURATION] == EMBED_REPLY["total_duration"]
    assert attributes[sc.SERVER_ADDRESS] == "ollama.internal"
    assert attributes[sc.SERVER_PORT] == 11434
    assert sc.GEN_AI_REQUEST_STREAM not in attributes


async def test_async_embed(span_capture: SpanCapture) -> None:
    seen: list[Any] = []
    span_capture.instrument(OllamaInstrumentor())
    client = ollama.AsyncClient(host="http://127.0.0.1:11434", transport=_embed_transport(seen))
    await client.embed("all-minilm", "a")
    attributes = span_capture.only_span().attributes or {}
    assert attributes[sc.GEN_AI_REQUEST_MODEL] == "all-minilm"
    assert attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] == EMBED_REPLY["prompt_eval_count"]


def test_options_are_request_attributes_and_errors_pass_unchanged(span_capture: SpanCapture) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": "model 'nope' not found"})

    span_capture.instrument(OllamaInstrumentor())
    client = ollama.Client(host="http://127.0.0.1:11434", transport=httpx.MockTransport(refuse))
    options = {"temperature": 0.2, "top_p": 0.9, "top_k": 40, "num_predict": 64, "seed": 7, "stop": ["\n"]}
    with pytest.raises(ollama.ResponseError) as raised:
        client.generate("nope", "hi", options=options, format="json")
    assert raised.value.status_code == 404
    span = span_capture.only_span()
    attributes = span.attributes or {}
    assert attributes[sc.ERROR_TYPE] == "ollama._types.ResponseError"
    assert attributes[sc.GEN_AI_REQUEST_TEMPERATURE] == 0.2
    assert attributes[sc.GEN_AI_REQUEST_TOP_P] == 0.9
    assert attributes[sc.GEN_AI_REQUEST_TOP_K] == 40
    assert attributes[sc.GEN_AI_REQUEST_MAX_TOKENS] == 64
    assert attributes[sc.GEN_AI_REQUEST_SEED] == 7
    assert list(attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES]) == ["\n"]
    assert attributes[sc.GEN_AI_OUTPUT_TYPE] == "json"


def test_tool_calls_in_a_response_are_recorded(span_capture: SpanCapture) -> None:
    reply = {"model": "llama3.1", "done": True, "done_reason": "stop", "eval_count": 20, "prompt_eval_count": 30,
             "message": {"role": "assistant", "content": "",
                         "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=reply))
    span_capture.instrument(OllamaInstrumentor(), capture_content=True)
    client = ollama.Client(host="http://127.0.0.1:11434", transport=transport)
    client.chat("llama3.1", [{"role": "user", "content": "weather?"}],
                tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {}}}])
    attributes = span_capture.only_span().attributes or {}
    assert list(attributes[sc.HP_TOOL_CALL_NAMES]) == ["get_weather"]
    [output] = json.loads(attributes[sc.GEN_AI_OUTPUT_MESSAGES])
    assert {"type": "tool_call", "name": "get_weather", "arguments": {"city": "Paris"}} in [
        {k: v for k, v in part.items() if k != "id"} for part in output["parts"]]
    assert json.loads(attributes[sc.GEN_AI_TOOL_DEFINITIONS])[0]["name"] == "get_weather"
