"""The provider a LiteLLM model string goes to, as ``gen_ai.provider.name``.

LiteLLM resolves ``model`` (``"gpt-4o-mini"``, ``"anthropic/claude-..."``, with ``custom_llm_provider`` or
``api_base``) with ``litellm.get_llm_provider``: the same resolution the call itself makes, so the span names
the provider that really serves it. LiteLLM's provider names are mapped to the conventions' well-known
values; one without a well-known value is recorded under LiteLLM's own name. A model LiteLLM cannot resolve
fails the call anyway; its span says ``litellm``.
"""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import Call, text_of

UNRESOLVED = "litellm"

# LiteLLM provider name -> the conventions' gen_ai.provider.name value (where one is defined).
_WELL_KNOWN = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "anthropic": "anthropic",
    "anthropic_text": "anthropic",
    "bedrock": "aws.bedrock",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "mistral": "mistral_ai",
    "codestral": "mistral_ai",
    "text-completion-codestral": "mistral_ai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "perplexity": "perplexity",
    "watsonx": "ibm.watsonx.ai",
    "watsonx_text": "ibm.watsonx.ai",
    "ollama_chat": "ollama",
}


def provider_name(litellm_provider: str) -> str:
    return _WELL_KNOWN.get(litellm_provider, litellm_provider)


# (model, custom_llm_provider, api_base) -> (provider name, api_base): resolution costs ~30 us, and an
# application uses a handful of models.
_resolved: dict[tuple[str, str | None, str | None], tuple[str, str | None]] = {}
_MAX_RESOLVED = 256


def resolve(call: Call, model: str | None) -> tuple[str, str | None]:
    """``(gen_ai.provider.name, api_base)`` for the call, from LiteLLM's own model resolution."""
    kwargs = call.kwargs
    explicit = text_of(kwargs.get("custom_llm_provider"))
    api_base = text_of(kwargs.get("api_base")) or text_of(kwargs.get("base_url"))
    if model is None:
        return (provider_name(explicit) if explicit else UNRESOLVED), api_base
    key = (model, explicit, api_base)
    known = _resolved.get(key)
    if known is None:
        known = _resolve(model, explicit, api_base)
        if len(_resolved) < _MAX_RESOLVED:
            _resolved[key] = known
    return known


def _resolve(model: str, explicit: str | None, api_base: str | None) -> tuple[str, str | None]:
    import litellm  # the adapter is only active when litellm is installed

    try:
        _model, provider, _key, resolved_base = litellm.get_llm_provider(
            model=model, custom_llm_provider=explicit, api_base=api_base
        )
    except Exception:  # an unknown provider: LiteLLM raises the same error from the call itself
        return UNRESOLVED, api_base
    return provider_name(str(provider)), api_base or text_of(resolved_base)


def model_of(call: Call, position: int = 0) -> Any:
    """The ``model`` argument, by keyword or at ``position``."""
    model = call.kwargs.get("model")
    if model is None and len(call.args) > position:
        model = call.args[position]
    return model
