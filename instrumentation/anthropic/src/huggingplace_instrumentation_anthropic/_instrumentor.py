"""AnthropicInstrumentor: which anthropic methods are traced, each with its codec."""

from __future__ import annotations

from huggingplace_instrumentation_anthropic import SUPPORTED
from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target, raw_response_handler

from ._completions import CompletionsCodec
from ._messages import PROVIDER, MessagesCodec
from ._native_spans import NATIVE_SPAN_HOOK
from ._stream_helper import StreamManagerCodec, observe_raw_stream

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
        # Both homes of Messages are named, so finding the right one imports nothing: old releases have only
        # the flat module; newer ones have the package, which re-exports the class (the engine wraps it once).
        for module in (_MESSAGES, _FLAT_MESSAGES, _BETA_MESSAGES):
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

