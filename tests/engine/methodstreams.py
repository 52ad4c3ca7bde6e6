"""A tiny vendor whose stream iterates through its class's ``__next__`` and closes itself when exhausted
(as LiteLLM's CustomStreamWrapper does), for the engine's ``stream_method_hooks``."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    GenAIInstrumentor,
    Hook,
    Invocation,
    Recorder,
    Request,
    Target,
    observe_stream_methods,
    stream_method_hooks,
)


class VendorError(Exception):
    pass


class SelfClosingStream:
    def __init__(self, texts: list[str], fail_after: int | None = None) -> None:
        self._texts = list(texts)
        self._fail_after = fail_after
        self._sent = 0
        self.closed = False

    def __iter__(self) -> SelfClosingStream:
        return self

    def __next__(self) -> str:
        if self._fail_after is not None and self._sent == self._fail_after:
            raise VendorError("cut")
        if self._sent == len(self._texts):
            self.close()  # the stream ends itself: not the caller leaving early
            raise StopIteration
        self._sent += 1
        return self._texts[self._sent - 1]

    def close(self) -> None:
        self.closed = True


def open_stream(texts: list[str], fail_after: int | None = None) -> SelfClosingStream:
    return SelfClosingStream(texts, fail_after)


class _Codec:
    def read_request(self, call: Call) -> Request:
        return Request(operation=sc.OP_CHAT, provider="methods", model="m", stream=True)

    def read_response(self, result: Any, recorder: Recorder) -> None:
        """Only streams here."""

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        recorder.add_text(0, str(chunk))

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False


def _observe(result: Any, invocation: Invocation) -> Any:
    return observe_stream_methods(invocation, result)


class MethodStreamsInstrumentor(GenAIInstrumentor):
    provider = "methods"
    instruments = ()

    def targets(self) -> list[Target | Hook]:
        return [Target(__name__, "open_stream", _Codec(), result_handler=_observe),
                *stream_method_hooks(__name__, "SelfClosingStream", is_async=False)]
