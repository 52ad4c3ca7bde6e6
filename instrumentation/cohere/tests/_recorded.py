"""Reading a cohere cassette: which client method sent each recorded request, and the recorded response
(one JSON object, NDJSON events for v1 streams, SSE events for v2 streams)."""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk.testing import Interaction, decoded_body, recorded_request_json, recorded_sse_events


def call_of(interaction: Interaction) -> tuple[str, str, dict[str, Any]]:
    """(API version, method, keyword arguments) that send this recorded request."""
    body = dict(recorded_request_json(interaction))
    version, endpoint = interaction.request.path.strip("/").split("/")[-2:]
    stream = body.pop("stream", False)
    method = f"{endpoint}_stream" if endpoint == "chat" and stream else endpoint
    if version == "v2" and endpoint == "embed":
        # The recorded responses hold float embeddings, which is what this asks for; some older clients
        # (5.15 for one) require the argument.
        body.setdefault("embedding_types", ["float"])
    return version, method, body


def stream_events(interaction: Interaction) -> list[dict[str, Any]]:
    version, _, _ = call_of(interaction)
    if version == "v2":
        return [e for e in recorded_sse_events(interaction) if isinstance(e, dict)]
    lines = decoded_body(interaction).decode("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def response_json(interaction: Interaction) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(decoded_body(interaction))
    return result
