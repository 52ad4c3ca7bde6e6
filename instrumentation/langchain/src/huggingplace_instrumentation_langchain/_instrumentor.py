"""LangChainInstrumentor: puts our callback handler into every LangChain callback manager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huggingplace_instrumentation_langchain import SUPPORTED
from huggingplace_sdk.engine import EngineRef, GenAIInstrumentor, Hook

_PROVIDER = "langchain"


def _inject_handler(engine: EngineRef) -> Callable[..., Any]:
    """Wraps ``BaseCallbackManager.__init__``: every manager LangChain builds (``configure``, ``get_child``,
    copies) gets our handler as an inheritable one, so no change to the user's code is needed."""
    from ._handler import HuggingPlaceCallbackHandler  # langchain_core is being imported: safe now

    handler = HuggingPlaceCallbackHandler(engine)

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        result = wrapped(*args, **kwargs)
        if engine() is not None:
            try:
                if not any(h is handler for h in instance.inheritable_handlers):
                    instance.add_handler(handler, inherit=True)
            except Exception:  # a manager of an unexpected shape: leave it alone
                pass
        return result

    return wrapper


class LangChainInstrumentor(GenAIInstrumentor):
    """Traces LangChain and LangGraph runs: chains and nodes as steps, agents, tools, retrievers, and one
    inference span per model call (the vendor adapter's when that vendor is traced, else LangChain's)."""

    provider = _PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Hook]:
        return [Hook("langchain_core.callbacks.base", "BaseCallbackManager.__init__", _inject_handler)]
