"""Codec for the legacy Text Completions API (``completions.create``), present in older anthropic releases.

That API reports no token usage, so these spans carry ``huggingplace.usage.source = absent``.
"""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, Recorder, Request, field_of, number_attributes, strings_of, text_of

from ._messages import PROVIDER, server_address

_CHOICE = 0
_NUMERIC_PARAMETERS = (
    ("max_tokens_to_sample", sc.GEN_AI_REQUEST_MAX_TOKENS),
    ("temperature", sc.GEN_AI_REQUEST_TEMPERATURE),
    ("top_p", sc.GEN_AI_REQUEST_TOP_P),
    ("top_k", sc.GEN_AI_REQUEST_TOP_K),
)


class CompletionsCodec:
    def read_request(self, call: Call) -> Request:
        kwargs = call.kwargs
        attributes = number_attributes(kwargs, _NUMERIC_PARAMETERS)
        stop = strings_of(kwargs.get("stop_sequences"))
        if stop is not None:
            attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = stop
        request = Request(
            operation=sc.OP_TEXT_COMPLETION,
            provider=PROVIDER,
            model=text_of(kwargs.get("model")),
            stream=kwargs.get("stream") is True,
            attributes=attributes,
        )
        request.server_address, request.server_port = server_address(call.instance)
        prompt = kwargs.get("prompt")
        if isinstance(prompt, str):
            request.input_messages = lambda: [{"role": "user", "parts": [{"type": "text", "content": prompt}]}]
        return request

    def read_response(self, result: Any, recorder: Recorder) -> None:
        self.read_chunk(result, recorder)

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        # A streamed completion event has the same shape as the whole response, with a text fragment.
        recorder.set_response(id=field_of(chunk, "id"), model=field_of(chunk, "model"))
        completion = field_of(chunk, "completion")
        if completion:
            recorder.add_text(_CHOICE, completion)
        reason = field_of(chunk, "stop_reason")
        if reason is not None:
            recorder.set_finish_reason(_CHOICE, reason)

    def is_injected_chunk(self, chunk: Any) -> bool:
        return False
