"""Which models of the recorded cassettes the cost engine prices, and which it leaves unpriced.

Not a test: a report. Every cassette under ../shared/cassettes/* is read; for each answered (2xx) interaction
the model is the one the response reports, else the one in the request (body, or the URL path for Bedrock
and Gemini). The provider is the ``gen_ai.provider.name`` our adapters (or the conventions) give that API.
Each distinct (provider, model) is priced with the engine's own Pricer for 1,000 input and 100 output tokens:
    uv run python benchmarks/cost_coverage.py
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any
from urllib.parse import unquote

from huggingplace_sdk._engine.cost import Pricer, table_source
from huggingplace_sdk.testing import cassette_paths, decoded_body, load_cassette
from huggingplace_sdk.testing._cassette import CASSETTES_DIR

PROVIDER_BY_FOLDER = {
    "openai": "openai", "anthropic": "anthropic", "mistralai": "mistral_ai", "bedrock": "aws.bedrock",
    "cohere": "cohere", "groq": "groq", "ollama": "ollama",
}
USAGE = {"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100}


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _events(raw: bytes) -> list[Any]:
    """SSE ``data:`` payloads, or JSON lines (Ollama), or Bedrock's event-stream frames (skipped)."""
    found = []
    for line in raw.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("data:"):
            line = line[5:].strip()
        if line.startswith("{"):
            value = _json(line.encode())
            if isinstance(value, dict):
                found.append(value)
    return found


def _response_model(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("response") or {}, body.get("message") or {}):
        if isinstance(holder, dict):
            for key in ("model", "modelVersion"):
                if isinstance(holder.get(key), str) and holder[key]:
                    return str(holder[key])
    return None


def _provider(folder: str, host: str) -> str:
    if folder == "google-genai":
        return "gcp.vertex_ai" if "aiplatform" in host else "gcp.gemini"
    if folder == "litellm":
        return "anthropic" if "anthropic" in host else "openai"
    return PROVIDER_BY_FOLDER[folder]


def models() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    folders = sorted(p.name for p in CASSETTES_DIR.iterdir() if p.is_dir())
    for folder in folders:
        for path in cassette_paths(folder):
            for interaction in load_cassette(path):
                if not 200 <= interaction.response.status < 300:
                    continue
                request = interaction.request
                raw = decoded_body(interaction)
                body = _json(raw)
                model = _response_model(body)
                if model is None:
                    for event in reversed(_events(raw)):
                        model = _response_model(event)
                        if model:
                            break
                if model is None:
                    model = _response_model(_json(request.body or b""))
                if model is None:
                    match = re.search(r"/model/([^/]+)/|/models/([^/:]+)[:/]?", request.path)  # still %-quoted
                    model = unquote(match.group(1) or match.group(2)) if match else None
                if model is None:
                    continue  # not a model call (assistants, threads, files ...)
                host = request.uri.split("/")[2] if "://" in request.uri else ""
                found[(_provider(folder, host), model)].add(folder)
    return found


def main() -> None:
    pricer = Pricer()
    rows = []
    for (provider, model), folders in sorted(models().items()):
        cost = pricer.price(provider, (model,), USAGE)
        rows.append((provider, model, ",".join(sorted(folders)), cost.status,
                     cost.price_model or cost.unpriced_reason or "", "" if cost.total is None else f"{cost.total:f}"))
    print(f"price table: {table_source()}; usage priced: 1000 input + 100 output tokens\n")
    print("| provider | model (as reported) | cassettes | status | table model / reason | USD |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    unpriced = [r for r in rows if r[3] != "priced"]
    print(f"\n{len(rows)} models, {len(rows) - len(unpriced)} priced, {len(unpriced)} unpriced")


if __name__ == "__main__":
    main()
