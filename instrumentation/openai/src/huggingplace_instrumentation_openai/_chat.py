"""Chat completions: ``chat.completions.create`` (plain and streamed) and ``chat.completions.parse``.

The reading is the engine's OpenAI-style chat codec; openai adds its request reader, the ``service_tier``
request argument, the service tier and system fingerprint of the response, and the ``stream_usage`` option.
"""

from __future__ import annotations

from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import ChatCompletionsCodec, Recorder, is_mapping

from ._request import SAMPLING, maybe_request_stream_usage, new_request


def read_openai_metadata(result: Any, recorder: Recorder) -> None:
    if is_mapping(result):
        tier, fingerprint = result.get("service_tier"), result.get("system_fingerprint")
    else:
        tier, fingerprint = getattr(result, "service_tier", None), getattr(result, "system_fingerprint", None)
    if type(tier) is str and tier:
        recorder.set_attribute(sc.OPENAI_RESPONSE_SERVICE_TIER, tier)
    if type(fingerprint) is str and fingerprint:
        recorder.set_attribute(sc.OPENAI_RESPONSE_SYSTEM_FINGERPRINT, fingerprint)


class ChatCodec(ChatCompletionsCodec):
    """``chat.completions.create`` / ``parse``: one span per call, streams read chunk by chunk."""

    def __init__(self) -> None:
        super().__init__(new_request, sampling=SAMPLING, read_metadata=read_openai_metadata,
                         prepare_stream=maybe_request_stream_usage)


# Response id, model, service tier and fingerprint: legacy completions and the Responses API share them.
record_response_metadata = ChatCodec().record_metadata
