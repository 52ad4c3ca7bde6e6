"""AnthropicInstrumentor: which anthropic methods are traced, each with its codec."""

from __future__ import annotations

import importlib.util

from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target, raw_response_handler

from ._completions import CompletionsCodec
from ._messages import PROVIDER, MessagesCodec
from ._native_spans import NATIVE_SPAN_HOOK
from ._stream_helper import StreamManagerCodec, observe_raw_stream

SUPPORTED = "anthropic >= 0.40, < 3"

_MESSAGES = "anthropic.resources.messages.messages"
_FLAT_MESSAGES = "anthropic.resources.messages"  # before messages became a package (e.g. 0.40)
_BETA_MESSAGES = "anthropic.resources.beta.messages.messages"
_STREAM_HELPER = "anthropic.lib.streaming._messages"
_BETA_STREAM_HELPER = "anthropic.lib.streaming._beta_messages"
_COMPLETIONS = "anthropic.resources.completions"  # the legacy API, gone from recent releases


class AnthropicInstrumentor(GenAIInstrumentor):
    """Traces Messages (create, parse, the stream() helper; beta too) and legacy Text Completions."""

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target | Hook]:
        messages, helper, completions = MessagesCodec(), StreamManagerCodec(), CompletionsCodec()
        # Plain results, streams and with_raw_response / with_streaming_response responses alike.
        results = raw_response_handler()
        targets: list[Target | Hook] = []
        for module in (_messages_module(), _BETA_MESSAGES):
            for method in ("create", "parse"):
                targets.append(Target(module, f"Messages.{method}", messages, result_handler=results))
                targets.append(
                    Target(module, f"AsyncMessages.{method}", messages, is_async=True, result_handler=results)
                )
        for module, prefix in ((_STREAM_HELPER, ""), (_BETA_STREAM_HELPER, "Beta")):
            targets.append(
                Target(module, f"{prefix}MessageStreamManager.__enter__", helper, result_handler=observe_raw_stream)
            )
            targets.append(
                Target(
                    module,
                    f"{prefix}AsyncMessageStreamManager.__aenter__",
                    helper,
                    is_async=True,
                    result_handler=observe_raw_stream,
                )
            )
        targets.append(Target(_COMPLETIONS, "Completions.create", completions, result_handler=results))
        targets.append(
            Target(_COMPLETIONS, "AsyncCompletions.create", completions, is_async=True, result_handler=results)
        )
        targets.append(NATIVE_SPAN_HOOK)  # one call, one span: the SDK's own is skipped inside ours
        return targets


def _messages_module() -> str:
    """Where ``Messages`` is defined: naming both places would wrap the same class twice."""
    try:
        spec = importlib.util.find_spec(_FLAT_MESSAGES)
    except (ImportError, ValueError):  # anthropic missing (or a stand-in module): the engine skips the target
        return _MESSAGES
    is_package = spec is not None and spec.submodule_search_locations is not None
    return _MESSAGES if is_package else _FLAT_MESSAGES
