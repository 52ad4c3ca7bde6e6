"""Making the recorded calls again through the real google-genai client, and what the recordings say.

A call is rebuilt from the recorded request body (camelCase JSON, which the SDK's models accept), so the
client sends the same request to the same path. Expected values are read from the recorded responses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from google import genai
from google.genai import types
from google.oauth2.credentials import Credentials

from huggingplace_sdk.testing import Interaction, recorded_json, recorded_request_json, recorded_sse_events

API_KEY = "AIza-test-gemini-key-not-real"
VERTEX_TOKEN = "ya29.test-vertex-token-not-real"
VERTEX_HOST = "aiplatform.googleapis.com"
# Body keys of generateContent that are not GenerateContentConfig fields under the same name.
COUNT_KEYS = frozenset({"promptTokenCount", "toolUsePromptTokenCount", "candidatesTokenCount", "thoughtsTokenCount"})
_CONFIG_KEYS = ("systemInstruction", "tools", "toolConfig", "safetySettings", "cachedContent")


# A genai.Client closes its HTTP client when it is collected, while its models and streams live on: the tests
# keep each client alive as a caller's variable would (closed after each test by conftest).
LIVE_CLIENTS: list[genai.Client] = []


def keep_alive(client: genai.Client) -> genai.Client:
    LIVE_CLIENTS.append(client)
    return client


def is_vertex(interaction: Interaction) -> bool:
    return (urlsplit(interaction.request.uri).hostname or "").endswith(VERTEX_HOST)


def client_for(interaction: Interaction, base_url: str) -> genai.Client:
    """A client of the recorded backend pointed at the replay server; the API version comes from the URI."""
    version = interaction.request.path.strip("/").split("/")[0]
    options = types.HttpOptions(base_url=base_url, api_version=version)
    if is_vertex(interaction):
        # A static access token: no refresh, no network (the recorded project and location are rewritten ones).
        match = re.search(r"/projects/([^/]+)/locations/([^/]+)/", interaction.request.path)
        assert match, interaction.request.uri
        return keep_alive(genai.Client(vertexai=True, project=match.group(1), location=match.group(2),
                                       credentials=Credentials(token=VERTEX_TOKEN), http_options=options))
    return keep_alive(genai.Client(api_key=API_KEY, http_options=options))


def operation_of(interaction: Interaction) -> str:
    """``generateContent``, ``streamGenerateContent``, ``batchEmbedContents``, or the last path segment."""
    last = interaction.request.path.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else last


def model_of(interaction: Interaction) -> str:
    """The model id as the user names it (the path holds ``models/<id>`` or ``publishers/google/models/<id>``)."""
    last = interaction.request.path.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def unsupported_config(interaction: Interaction) -> str | None:
    """Why the installed google-genai cannot send this recorded request (a config field it predates), or None."""
    if operation_of(interaction) not in ("generateContent", "streamGenerateContent"):
        return None
    config = generate_kwargs(interaction).get("config")
    try:
        types.GenerateContentConfig.model_validate(config or {})
    except ValueError as error:  # pydantic's ValidationError
        return f"google-genai {genai.__version__} cannot express the recorded config: {error}"
    return None


def generate_kwargs(interaction: Interaction) -> dict[str, Any]:
    body = recorded_request_json(interaction)
    config: dict[str, Any] = dict(body.get("generationConfig") or {})
    for key in _CONFIG_KEYS:
        if key in body:
            config[key] = body[key]
    kwargs: dict[str, Any] = {"model": model_of(interaction), "contents": body["contents"]}
    if config:
        kwargs["config"] = config
    return kwargs


def embed_kwargs(interaction: Interaction) -> dict[str, Any]:
    body = recorded_request_json(interaction)
    requests = body["requests"]
    kwargs: dict[str, Any] = {"model": model_of(interaction), "contents": [r["content"] for r in requests]}
    dimensions = requests[0].get("outputDimensionality")
    if dimensions is not None:
        kwargs["config"] = {"output_dimensionality": dimensions}
    return kwargs


def call_sync(client: genai.Client, interaction: Interaction) -> Any:
    operation = operation_of(interaction)
    if operation == "generateContent":
        return client.models.generate_content(**generate_kwargs(interaction))
    if operation == "streamGenerateContent":
        return list(client.models.generate_content_stream(**generate_kwargs(interaction)))
    if operation == "batchEmbedContents":
        return client.models.embed_content(**embed_kwargs(interaction))
    raise AssertionError(f"not a traced operation: {operation}")


async def call_async(client: genai.Client, interaction: Interaction) -> Any:
    operation = operation_of(interaction)
    if operation == "generateContent":
        return await client.aio.models.generate_content(**generate_kwargs(interaction))
    if operation == "streamGenerateContent":
        return [chunk async for chunk in await client.aio.models.generate_content_stream(
            **generate_kwargs(interaction))]
    if operation == "batchEmbedContents":
        return await client.aio.models.embed_content(**embed_kwargs(interaction))
    raise AssertionError(f"not a traced operation: {operation}")


def recorded_payloads(interaction: Interaction) -> list[dict[str, Any]]:
    """The response objects the server sent: one, or one per stream event."""
    if operation_of(interaction) == "streamGenerateContent":
        return [event for event in recorded_sse_events(interaction) if isinstance(event, dict)]
    return [recorded_json(interaction)]


def last_with(payloads: list[dict[str, Any]], key: str) -> Any:
    values = [p[key] for p in payloads if key in p]
    return values[-1] if values else None


def recorded_usage(payloads: list[dict[str, Any]]) -> dict[str, int] | None:
    """The last usage block that has counts (earlier Vertex stream events carry only the traffic type)."""
    blocks = [p["usageMetadata"] for p in payloads if COUNT_KEYS & set(p.get("usageMetadata", {}))]
    return blocks[-1] if blocks else None


def recorded_finish_reasons(payloads: list[dict[str, Any]]) -> list[str]:
    reasons: dict[int, str] = {}
    for payload in payloads:
        for position, candidate in enumerate(payload.get("candidates") or ()):
            if "finishReason" in candidate:
                reasons[candidate.get("index", position)] = candidate["finishReason"]
    return [reasons[i] for i in sorted(reasons)]


def recorded_function_calls(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [part["functionCall"] for payload in payloads for candidate in payload.get("candidates") or ()
            for part in (candidate.get("content") or {}).get("parts") or () if "functionCall" in part]


def recorded_text(payloads: list[dict[str, Any]], *, thought: bool) -> str:
    return "".join(part["text"] for payload in payloads for candidate in payload.get("candidates") or ()
                   for part in (candidate.get("content") or {}).get("parts") or ()
                   if "text" in part and bool(part.get("thought")) is thought)


def cassette_name(path: Path) -> str:
    return path.name.removesuffix(".yaml")
