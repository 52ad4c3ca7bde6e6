"""The shared stream contract (every exit path ends exactly one span correctly) for each openai stream."""

from __future__ import annotations

from typing import Any

import pytest
from huggingplace_instrumentation_openai import OpenAIInstrumentor

from huggingplace_sdk.testing import (
    ASYNC_EXIT_PATHS,
    SYNC_EXIT_PATHS,
    StreamCall,
    cassette_path,
    check_async_exit_path,
    check_sync_exit_path,
)
from huggingplace_sdk.testing._capture import SpanCapture

from ._drive import async_client, chat_helpers, sync_client

MESSAGES = [{"role": "user", "content": "Tell me a joke about opentelemetry"}]
CHAT_STREAM = cassette_path("openai", "test_chat__test_chat_streaming_not_consumed")
COMPLETION_STREAM = cassette_path("openai", "test_completions__test_async_completion_streaming")
RESPONSES_STREAM = cassette_path("openai", "test_responses__test_responses_streaming")


def _chat(url: str) -> Any:
    return sync_client(url).chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)


async def _chat_async(url: str) -> Any:
    return await async_client(url).chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES, stream=True)


def _completion(url: str) -> Any:
    return sync_client(url).completions.create(model="davinci-002", prompt="Tell me a joke", stream=True)


async def _completion_async(url: str) -> Any:
    return await async_client(url).completions.create(model="davinci-002", prompt="Tell me a joke", stream=True)


def _responses(url: str) -> Any:
    return sync_client(url).responses.create(model="gpt-4.1-nano", input="Tell me a joke", stream=True)


async def _responses_async(url: str) -> Any:
    return await async_client(url).responses.create(model="gpt-4.1-nano", input="Tell me a joke", stream=True)


def _chat_helper(url: str) -> Any:
    """``chat.completions.stream()``: the helper stream the manager's ``with`` gives."""
    return chat_helpers(sync_client(url)).stream(model="gpt-3.5-turbo", messages=MESSAGES).__enter__()


async def _chat_helper_async(url: str) -> Any:
    return await chat_helpers(async_client(url)).stream(model="gpt-3.5-turbo", messages=MESSAGES).__aenter__()


def _responses_helper(url: str) -> Any:
    return sync_client(url).responses.stream(model="gpt-4.1-nano", input="Tell me a joke").__enter__()


async def _responses_helper_async(url: str) -> Any:
    return await async_client(url).responses.stream(model="gpt-4.1-nano", input="Tell me a joke").__aenter__()


CALLS = {
    "chat": StreamCall(CHAT_STREAM, open=_chat, open_async=_chat_async),
    "completions": StreamCall(COMPLETION_STREAM, open=_completion, open_async=_completion_async),
    "responses": StreamCall(RESPONSES_STREAM, open=_responses, open_async=_responses_async, fault_after=5),
    "chat_helper": StreamCall(CHAT_STREAM, open=_chat_helper, open_async=_chat_helper_async),
    "responses_helper": StreamCall(
        RESPONSES_STREAM, open=_responses_helper, open_async=_responses_helper_async, fault_after=5
    ),
}


@pytest.mark.parametrize("exit_path", SYNC_EXIT_PATHS)
@pytest.mark.parametrize("kind", list(CALLS))
def test_sync_exit_paths(kind: str, exit_path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    check_sync_exit_path(exit_path, CALLS[kind], span_capture)


@pytest.mark.parametrize("exit_path", ASYNC_EXIT_PATHS)
@pytest.mark.parametrize("kind", list(CALLS))
async def test_async_exit_paths(kind: str, exit_path: str, span_capture: SpanCapture) -> None:
    span_capture.instrument(OpenAIInstrumentor())
    await check_async_exit_path(exit_path, CALLS[kind], span_capture)
