"""The result handler of every openai method we wrap: the engine's Stainless raw-response handling, with
openai's streams remembered so that the SDK's helper streams can report their close (see ``_streams``)."""

from __future__ import annotations

from huggingplace_sdk.engine import raw_response_handler

from ._streams import observe_stream

handle_result = raw_response_handler(observe_stream)
