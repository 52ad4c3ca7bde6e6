"""OpenAIAgentsInstrumentor: sees every Agents SDK trace and span through the SDK's own processor fan-out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huggingplace_instrumentation_openai_agents import SUPPORTED
from huggingplace_sdk.engine import EngineRef, GenAIInstrumentor, Hook

_PROVIDER = "openai_agents"
_FAN_OUT = "agents.tracing.provider"  # SynchronousMultiTracingProcessor: every span of every provider passes


class _SharedProcessor:
    """The one processor of an instrumentation, made by the first hook installed."""

    def __init__(self) -> None:
        self.processor: Any = None

    def get(self, engine: EngineRef) -> Any:
        if self.processor is None:
            from ._processor import AgentsSpanProcessor  # the SDK's tracing is being imported: safe now

            self.processor = AgentsSpanProcessor(engine)
        return self.processor


def _dispatch(event: str, shared: _SharedProcessor) -> Callable[[EngineRef], Callable[..., Any]]:
    """Wraps the fan-out's ``event`` method: our processor sees the event first, then the user's processors.

    Wrapping the fan-out (rather than registering a processor) keeps ``instrument()`` from importing the SDK,
    survives ``set_trace_processors([...])``, and is undone exactly by ``uninstrument()``."""

    def factory(engine: EngineRef) -> Callable[..., Any]:
        handle = getattr(shared.get(engine), event)

        def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
            if args and engine() is not None:
                handle(args[0])
            return wrapped(*args, **kwargs)

        return wrapper

    return factory


class OpenAIAgentsInstrumentor(GenAIInstrumentor):
    """Traces Agents SDK runs: ``invoke_agent {name}``, ``execute_tool {name}``, handoffs and guardrails as
    steps, and one inference span per model call (the openai adapter's when it is active, else the SDK's)."""

    provider = _PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Hook]:
        shared = _SharedProcessor()
        return [Hook(_FAN_OUT, f"SynchronousMultiTracingProcessor.{event}", _dispatch(event, shared))
                for event in ("on_trace_start", "on_trace_end", "on_span_start", "on_span_end")]
