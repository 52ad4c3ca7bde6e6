"""Legacy text completions: ``completions.create`` (plain and streamed)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, items_of

from . import _content
from ._chat import record_response_metadata
from ._fields import arg, as_int, as_str
from ._request import is_usage_only_chunk, maybe_request_stream_usage, new_request, put_sampling
from ._usage import record_chat_usage


class CompletionsCodec:
    """A completion chunk has the shape of a whole completion, so both are read the same way."""

    def read_request(self, call: Call) -> Request:
        request = new_request(call, sc.OP_TEXT_COMPLETION)
        put_sampling(request, call.kwargs, "max_tokens")
        maybe_request_stream_usage(call, request)
        prompt = arg(call.kwargs, "prompt")
        request.input_messages = lambda: _content.prompt_messages(prompt)
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        record_response_metadata(result, recorder)
        for position, choice in enumerate(items_of(field_of(result, "choices"))):
            index = as_int(field_of(choice, "index"))
            index = position if index is None else index
            text = field_of(choice, "text")
            if isinstance(text, str) and text:
                recorder.add_text(index, text)
            recorder.set_finish_reason(index, as_str(field_of(choice, "finish_reason")))
        record_chat_usage(field_of(result, "usage"), recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        self.read_response(chunk, recorder)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return is_usage_only_chunk(chunk)
