"""The shared chat reader's vendor hooks (``read_message``, ``record_usage``), which LiteLLM uses: each
message, delta and usage object of a recording reaches them, alongside the standard reading."""

from __future__ import annotations

from typing import Any

from huggingplace_instrumentation_openai._chat import new_request

from huggingplace_sdk.engine import ChatCompletionsCodec, Recorder, record_chat_usage
from huggingplace_sdk.testing import cassette_path, load_cassette, recorded_json, recorded_sse_events

from ._fake_recorder import FakeRecorder


class _Seen:
    def __init__(self) -> None:
        self.messages: list[tuple[int, Any]] = []
        self.usages: list[Any] = []

    def read_message(self, index: int, message: Any, recorder: Recorder) -> None:
        self.messages.append((index, message))

    def record_usage(self, usage: Any, recorder: Recorder) -> None:
        self.usages.append(usage)
        record_chat_usage(usage, recorder)


def _first(name: str) -> Any:
    return load_cassette(cassette_path("openai", name))[0]


def test_hooks_see_each_message_and_the_usage_of_a_response() -> None:
    body = recorded_json(_first("test_functions__test_open_ai_function_calls_tools_parallel"))
    seen, recorder = _Seen(), FakeRecorder()
    ChatCompletionsCodec(new_request, read_message=seen.read_message,
                         record_usage=seen.record_usage).read_response(body, recorder)
    assert seen.messages == [(c["index"], c["message"]) for c in body["choices"]]
    assert seen.usages == [body["usage"]]
    assert recorder.usage["input_tokens"] == body["usage"]["prompt_tokens"]  # standard reading still done
    assert recorder.finish == {c["index"]: c["finish_reason"] for c in body["choices"]}


def test_hooks_see_each_delta_of_a_stream() -> None:
    events = recorded_sse_events(_first("test_chat__test_chat_async_streaming"))
    seen, recorder = _Seen(), FakeRecorder()
    codec = ChatCompletionsCodec(new_request, read_message=seen.read_message, record_usage=seen.record_usage)
    for event in events:
        codec.read_chunk(event, recorder)
    expected = [(c["index"], c["delta"]) for e in events for c in e["choices"]]
    assert expected and seen.messages == expected
    # No recorded openai stream carries usage; LiteLLM's replayed streams exercise record_usage on chunks.
    text = "".join(c["delta"].get("content") or "" for e in events for c in e["choices"])
    assert recorder.text[(0, "text")] == text
