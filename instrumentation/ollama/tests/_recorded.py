"""Reading an ollama cassette: the request as sent and the response as NDJSON objects (one when not
streamed), so tests take their expected values from the recording."""

from __future__ import annotations

import json
from typing import Any

from huggingplace_sdk.testing import Interaction, decoded_body, recorded_request_json


def response_objects(interaction: Interaction) -> list[dict[str, Any]]:
    lines = decoded_body(interaction).decode("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def call_kwargs(interaction: Interaction) -> tuple[str, dict[str, Any]]:
    """The client method and keyword arguments that send this recorded request."""
    body = recorded_request_json(interaction)
    method = interaction.request.path.rsplit("/", 1)[1]
    kwargs: dict[str, Any] = {"model": body["model"]}
    if method == "chat":
        kwargs.update(messages=body["messages"], stream=bool(body.get("stream")))
        if body.get("tools"):
            kwargs["tools"] = body["tools"]
    elif method == "generate":
        kwargs.update(prompt=body["prompt"], stream=bool(body.get("stream")))
        if body.get("system"):
            kwargs["system"] = body["system"]
    elif method == "embeddings":
        kwargs["prompt"] = body["prompt"]
    else:
        raise AssertionError(f"no ollama method for {interaction.request.path}")
    return method, kwargs
