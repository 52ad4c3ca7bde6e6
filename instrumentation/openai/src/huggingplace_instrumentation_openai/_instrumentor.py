"""OpenAIInstrumentor: which openai methods are traced, each with its codec, and the adapter options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huggingplace_sdk.engine import Codec, GenAIInstrumentor, Hook, Target, env_flag

from ._chat import ChatCodec
from ._completions import CompletionsCodec
from ._embeddings import EmbeddingsCodec
from ._hosts import PROVIDER, PROVIDER_HOSTS_OPTION, provider_hosts_option
from ._raw import handle_result
from ._request import STREAM_USAGE_OPTION
from ._responses import ResponsesCodec
from ._streams import HELPER_STREAMS, helper_init_hook

SUPPORTED = "openai >= 1.66, < 4"
ENV_STREAM_USAGE = "HUGGINGPLACE_OPENAI_STREAM_USAGE"

_CHAT = "openai.resources.chat.completions"
_BETA_CHAT = "openai.resources.beta.chat.completions"  # parse() lived here before it left beta


class OpenAIInstrumentor(GenAIInstrumentor):
    """Traces chat completions (create, parse; ``stream()`` through its create), the Responses API
    (create, parse; ``stream()`` through its create), legacy completions and embeddings, sync and async.

    Option ``stream_usage`` (``instrument(openai={"stream_usage": True})`` or env
    ``HUGGINGPLACE_OPENAI_STREAM_USAGE``, default off): ask streams that did not set ``stream_options``
    for their usage, and hide the extra usage-only chunk from the caller.

    Option ``provider_hosts`` (``instrument(openai={"provider_hosts": {"llm.internal": "vllm"}})`` or env
    ``HUGGINGPLACE_OPENAI_PROVIDER_HOSTS="llm.internal=vllm,..."``): the provider name of a host the adapter
    does not know (known hosts: see ``_hosts.py``).
    """

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target | Hook]:
        chat, completions, embeddings, responses = (
            ChatCodec(),
            CompletionsCodec(),
            EmbeddingsCodec(),
            ResponsesCodec(),
        )
        methods: list[tuple[str, str, tuple[str, ...], Codec]] = [
            (_CHAT, "Completions", ("create", "parse"), chat),
            (_BETA_CHAT, "Completions", ("parse",), chat),
            ("openai.resources.completions", "Completions", ("create",), completions),
            ("openai.resources.embeddings", "Embeddings", ("create",), embeddings),
            ("openai.resources.responses", "Responses", ("create", "parse"), responses),
        ]
        targets: list[Target | Hook] = []
        for module, cls, names, codec in methods:
            for name in names:
                targets.append(Target(module, f"{cls}.{name}", codec, result_handler=handle_result))
                targets.append(Target(module, f"Async{cls}.{name}", codec, is_async=True, result_handler=handle_result))
        # The SDK's helper streams close the HTTP response directly: hook them to see the caller's close.
        targets += [Hook(module, f"{helper}.__init__", helper_init_hook) for module, helper in HELPER_STREAMS]
        return targets

    def adapter_options(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        stream_usage = kwargs.get(STREAM_USAGE_OPTION)
        if stream_usage is None:
            stream_usage = env_flag(ENV_STREAM_USAGE, False)
        elif not isinstance(stream_usage, bool):
            raise TypeError(f"openai option stream_usage must be True or False, not {stream_usage!r}")
        return {STREAM_USAGE_OPTION: stream_usage,
                PROVIDER_HOSTS_OPTION: provider_hosts_option(kwargs.get(PROVIDER_HOSTS_OPTION))}
