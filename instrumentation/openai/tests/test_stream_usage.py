"""The ``stream_usage`` option: ask for usage only when the caller did not choose, and hide what it adds."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import ReplayServer, recorded_sse_events
from huggingplace_sdk.testing._capture import SpanCapture

from ._drive import async_client, chat_helpers, sync_client
from ._synthetic import FAKE_USAGE, stream_with_usage_chunk

MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]


def _events(path: Path) -> list[dict[str, object]]:
    from huggingplace_sdk.testing import load_cassette

    return recorded_sse_events(load_cassette(path)[0])


def test_injected_usage_is_recorded_and_its_chunk_hidden(tmp_path: Path, span_capture: SpanCapture) -> None:
    path, usage_chunk = stream_with_usage_chunk(tmp_path)
    span_capture.instrument(OpenAIInstrumentor(), stream_usage=True)
    with ReplayServer(path) as server:
        stream = sync_client(server.base_url).chat.completions.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        )
        chunks = list(stream)
        sent = server.requests[0].json
    assert sent["stream_options"] == {"include_usage": True}
    assert len(chunks) == len(_events(path)) - 1  # everything but the usage-only chunk
    assert all(chunk.choices for chunk in chunks)
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_PROVIDER
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage_chunk["usage"]["prompt_tokens"]
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage_chunk["usage"]["completion_tokens"]
    assert attrs[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] == FAKE_USAGE["prompt_tokens_details"]["cached_tokens"]
    assert attrs[sc.HP_STREAM_OUTCOME] == sc.STREAM_COMPLETED


async def test_injected_usage_async(tmp_path: Path, span_capture: SpanCapture) -> None:
    path, usage_chunk = stream_with_usage_chunk(tmp_path)
    span_capture.instrument(OpenAIInstrumentor(), stream_usage=True)
    with ReplayServer(path) as server:
        client = async_client(server.base_url)
        stream = await client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        chunks = [chunk async for chunk in stream]
        await client.close()
    assert len(chunks) == len(_events(path)) - 1
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage_chunk["usage"]["completion_tokens"]


def test_caller_stream_options_are_kept_and_nothing_hidden(tmp_path: Path, span_capture: SpanCapture) -> None:
    path, usage_chunk = stream_with_usage_chunk(tmp_path)
    span_capture.instrument(OpenAIInstrumentor(), stream_usage=True)
    with ReplayServer(path) as server:
        client = sync_client(server.base_url)
        chunks = list(
            client.chat.completions.create(
                model="gpt-3.5-turbo", messages=MESSAGES, stream=True, stream_options={"include_usage": False}
            )
        )
        sent = server.requests[0].json
    assert sent["stream_options"] == {"include_usage": False}
    assert len(chunks) == len(_events(path))  # the caller gets every chunk the server sent
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage_chunk["usage"]["prompt_tokens"]


def test_off_by_default_usage_absent_and_request_untouched(
    tmp_path: Path, span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUGGINGPLACE_OPENAI_STREAM_USAGE", raising=False)
    from ._synthetic import RECORDED_STREAM

    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(RECORDED_STREAM) as server:
        chunks = list(
            sync_client(server.base_url).chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        )
        sent = server.requests[0].json
    assert "stream_options" not in sent
    assert len(chunks) == len(_events(RECORDED_STREAM))
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.HP_USAGE_SOURCE] == sc.USAGE_SOURCE_ABSENT
    assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attrs


def test_stream_helper_with_injected_usage(tmp_path: Path, span_capture: SpanCapture) -> None:
    path, usage_chunk = stream_with_usage_chunk(tmp_path)
    span_capture.instrument(OpenAIInstrumentor(), stream_usage=True)
    with ReplayServer(path) as server:
        client = sync_client(server.base_url)
        with chat_helpers(client).stream(model="gpt-3.5-turbo", messages=MESSAGES) as stream:
            final = stream.get_final_completion()
    assert final.usage is None  # the caller did not ask for usage, so the helper never saw it
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage_chunk["usage"]["completion_tokens"]


def test_environment_switches_it_on(tmp_path: Path, span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUGGINGPLACE_OPENAI_STREAM_USAGE", "true")
    path, _ = stream_with_usage_chunk(tmp_path)
    span_capture.instrument(OpenAIInstrumentor())
    with ReplayServer(path) as server:
        list(
            sync_client(server.base_url).chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        )
        assert server.requests[0].json["stream_options"] == {"include_usage": True}


def test_argument_beats_environment(tmp_path: Path, span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUGGINGPLACE_OPENAI_STREAM_USAGE", "true")
    path, _ = stream_with_usage_chunk(tmp_path)
    span_capture.instrument(OpenAIInstrumentor(), stream_usage=False)
    with ReplayServer(path) as server:
        list(
            sync_client(server.base_url).chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)
        )
        assert "stream_options" not in server.requests[0].json


def test_bad_environment_value_warns_and_falls_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HUGGINGPLACE_OPENAI_STREAM_USAGE", "maybe")
    with caplog.at_level(logging.WARNING):
        options = OpenAIInstrumentor().adapter_options({})
    assert options == {"stream_usage": False, "provider_hosts": {}}
    assert "HUGGINGPLACE_OPENAI_STREAM_USAGE" in caplog.text


def test_bad_argument_raises() -> None:
    with pytest.raises(TypeError, match="stream_usage"):
        OpenAIInstrumentor().adapter_options({"stream_usage": "yes"})


def test_option_through_the_public_instrument_call(tmp_path: Path, span_capture: SpanCapture) -> None:
    import huggingplace_sdk

    path, usage_chunk = stream_with_usage_chunk(tmp_path)
    handle = huggingplace_sdk.instrument(
        ["openai"],
        tracer_provider=span_capture.tracer_provider,
        huggingplace=False,
        console=False,
        openai={"stream_usage": True},
    )
    try:
        assert set(handle.adapters) == {"openai"}
        with ReplayServer(path) as server:
            chunks = list(
                sync_client(server.base_url).chat.completions.create(
                    model="gpt-3.5-turbo", messages=MESSAGES, stream=True
                )
            )
            assert server.requests[0].json["stream_options"] == {"include_usage": True}
    finally:
        handle.uninstrument()
    assert len(chunks) == len(_events(path)) - 1
    attrs = span_capture.only_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage_chunk["usage"]["prompt_tokens"]
