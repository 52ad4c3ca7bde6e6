"""``gen_ai.provider.name`` from the openai client's base URL: many providers speak OpenAI's API.

Known hosts map to their provider (the conventions' value where one is defined, else the name LiteLLM uses
for it); any other host stays ``openai`` unless the user names its provider (option ``provider_hosts``). A
server on loopback cannot be told apart (vLLM, LM Studio, llama.cpp, a test double all look alike), except
Ollama on its own port.

Azure OpenAI takes a deployment name where OpenAI takes a model: for Azure the deployment is recorded apart
(``huggingplace.azure.openai.deployment``) and ``gen_ai.request.model`` is left unset, so the deployment
never stands where a model name belongs; the response's model is recorded as usual.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

PROVIDER = "openai"
AZURE = "azure.ai.openai"
PROVIDER_HOSTS_OPTION = "provider_hosts"
ENV_PROVIDER_HOSTS = "HUGGINGPLACE_OPENAI_PROVIDER_HOSTS"

_KNOWN_HOSTS = {
    "api.openai.com": PROVIDER,
    "api.deepseek.com": "deepseek",
    "api.x.ai": "x_ai",
    "api.perplexity.ai": "perplexity",
    "api.groq.com": "groq",
    "openrouter.ai": "openrouter",
    "api.together.xyz": "together_ai",
    "api.together.ai": "together_ai",
    "api.fireworks.ai": "fireworks_ai",
}
_AZURE_HOST_SUFFIXES = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
_AZURE_CLIENTS = frozenset({"AzureOpenAI", "AsyncAzureOpenAI"})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_OLLAMA_PORT = 11434

_logger = logging.getLogger(__name__)


def provider_of(client: Any, host: str | None, port: int | None, named: Mapping[str, str]) -> str:
    if host is None:
        return PROVIDER
    if named:
        chosen = named.get(host)
        if chosen is not None:
            return chosen
    known = _KNOWN_HOSTS.get(host)
    if known is not None:
        return known
    if host.endswith(_AZURE_HOST_SUFFIXES) or type(client).__name__ in _AZURE_CLIENTS:
        return AZURE
    if port == _OLLAMA_PORT and host in _LOOPBACK:
        return "ollama"
    return PROVIDER


def azure_deployment(client: Any, model: str | None) -> str | None:
    """The deployment a call goes to: fixed in the client's base URL (``azure_deployment=``), else ``model``."""
    url = getattr(client, "_base_url", None)
    path = urlsplit(str(url)).path if url is not None else ""
    marker = "/deployments/"
    if marker in path:
        return path.split(marker, 1)[1].split("/", 1)[0] or model
    return model


def provider_hosts_option(value: Any) -> dict[str, str]:
    """The ``provider_hosts`` option (host -> provider name): argument > environment > none."""
    if value is not None:
        if not isinstance(value, Mapping) or not all(
                isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()):
            raise TypeError(f"openai option provider_hosts must map host names to provider names, not {value!r}")
        return {host.lower(): name for host, name in value.items()}
    text = os.environ.get(ENV_PROVIDER_HOSTS, "").strip()
    hosts: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        host, separator, name = entry.partition("=")
        if not separator or not host.strip() or not name.strip():
            _logger.warning("ignoring %s entry %r: expected host=provider", ENV_PROVIDER_HOSTS, entry)
            continue
        hosts[host.strip().lower()] = name.strip()
    return hosts
