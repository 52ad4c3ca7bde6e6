"""Cassettes derived from a recording, for behaviour no recording shows (the data is the fake server's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from huggingplace_sdk.testing import cassette_path, decoded_body, load_cassette

# A recorded chat stream whose request did not ask for usage (the SSE ends with "data: [DONE]").
RECORDED_STREAM = cassette_path("openai", "test_chat__test_chat_streaming_not_consumed")

# The usage the fake server reports in its extra chunk.
FAKE_USAGE = {
    "prompt_tokens": 15,
    "completion_tokens": 42,
    "total_tokens": 57,
    "prompt_tokens_details": {"cached_tokens": 4},
    "completion_tokens_details": {"reasoning_tokens": 0},
}


def stream_with_usage_chunk(directory: Path, copies: int = 3) -> tuple[Path, dict[str, Any]]:
    """The recorded stream plus the usage-only chunk ``include_usage`` adds; returns (path, that chunk)."""
    interaction = load_cassette(RECORDED_STREAM)[0]
    text = decoded_body(interaction).decode()
    head, _, _ = text.rpartition("data: [DONE]")
    first = json.loads(head.split("data: ", 2)[1].split("\n")[0])
    usage_chunk = {
        "id": first["id"],
        "object": "chat.completion.chunk",
        "created": first["created"],
        "model": first["model"],
        "choices": [],
        "usage": FAKE_USAGE,
    }
    body = f"{head}data: {json.dumps(usage_chunk)}\n\ndata: [DONE]\n\n"
    record = {
        "request": {
            "body": interaction.request.body.decode(),
            "headers": {},
            "method": "POST",
            "uri": interaction.request.uri,
        },
        "response": {
            "body": {"string": body},
            "headers": {"Content-Type": ["text/event-stream"]},
            "status": {"code": 200, "message": "OK"},
        },
    }
    path = directory / "stream_with_usage.yaml"
    path.write_text(yaml.safe_dump({"interactions": [record] * copies, "version": 1}))
    return path, usage_chunk
