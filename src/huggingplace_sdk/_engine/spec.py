"""What a vendor adapter declares: which methods to wrap and how to read requests, responses and chunks.

An adapter never starts, ends or annotates spans itself. It describes each wrapped method with a
:class:`Target` whose :class:`Codec` reads the vendor's objects into the engine's neutral records:
:class:`Request` going in, and calls on a :class:`Recorder` coming out (once for a plain response, once
per chunk for a stream). The engine owns the span lifecycle, the stream contract, usage provenance,
content policy, metrics and the never-break-the-call guard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

# A structured message in the GenAI conventions' JSON shape, e.g.
# {"role": "user", "parts": [{"type": "text", "content": "hi"}]}.
Message = dict[str, Any]


@dataclass(slots=True)
class Call:
    """One intercepted call. ``kwargs`` is the caller's own dict: a codec may replace it with a changed copy
    (e.g. to request stream usage), never mutate it."""

    instance: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    options: Mapping[str, Any]  # the adapter's resolved options (engine-level and adapter-level)


@dataclass(slots=True)
class Request:
    """What the codec read from a call before it is made.

    ``operation`` is a GenAI operation name (``chat``, ``text_completion``, ``embeddings`` ...) for inference
    spans, or any other name for platform operations (then ``inference=False``). ``span_name`` defaults to
    ``"{operation} {model}"`` (or ``operation`` alone when there is no model).
    """

    operation: str
    provider: str
    model: str | None = None
    stream: bool = False
    inference: bool = True
    span_name: str | None = None
    kind: SpanKind = SpanKind.CLIENT
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    server_address: str | None = None
    server_port: int | None = None
    # Content is read lazily: these run only when content capture is on.
    input_messages: Callable[[], list[Message]] | None = None
    system_instructions: Callable[[], list[dict[str, Any]]] | None = None
    tool_definitions: Callable[[], list[dict[str, Any]]] | None = None
    # Set by a codec that changed the request so that a stream reports usage: the engine then hides
    # the chunks for which ``Codec.is_injected_chunk`` is true, so the caller sees what it asked for.
    usage_injected: bool = False
    # Secret values (keys, tokens) of this call that must never appear in recorded error text.
    secrets: tuple[str, ...] = ()


class Recorder(Protocol):
    """What a codec writes into while reading a response or a chunk. All methods are cheap (O(1))."""

    @property
    def capture_content(self) -> bool: ...

    @property
    def response_model(self) -> str | None:
        """The response model recorded so far: a stream codec reads chunk metadata only until it is known."""

    def set_response(self, *, id: str | None = None, model: str | None = None) -> None: ...

    def set_finish_reason(self, index: int, reason: str | None) -> None: ...

    def set_usage(
        self,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_input_tokens: int | None = None,
        cache_creation_input_tokens: int | None = None,
        reasoning_output_tokens: int | None = None,
        source: str = "provider",
    ) -> None:
        """Record usage. Later calls overwrite only the fields they give (streams report usage in parts)."""

    def add_text(self, index: int, text: str, *, kind: str = "text") -> None:
        """Append output text of choice ``index`` (``kind`` = "text" or "reasoning"). No-op unless capturing."""

    def add_tool_call(
        self, index: int, call_index: int, *, id: str | None = None, name: str | None = None,
        arguments: str | None = None,
    ) -> None:
        """Record (a fragment of) tool call ``call_index`` of choice ``index``; arguments are appended."""

    def tool_call_count(self, index: int) -> int:
        """How many tool calls choice ``index`` has so far: the next ``call_index`` for a vendor whose stream
        sends each call whole, in a chunk of its own, without a position."""

    def set_role(self, index: int, role: str) -> None: ...

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        """Any other attribute (vendor-specific, ``huggingplace.platform.*`` etc.)."""

    def add_event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        """A span event: for rare, meaningful moments only (never one per chunk)."""


class Codec(Protocol):
    """Reads one kind of vendor call. Implementations are small, stateless and vendor-specific."""

    def read_request(self, call: Call) -> Request: ...

    def read_response(self, result: Any, recorder: Recorder) -> None:
        """Read a complete (non-streamed) result."""

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        """Read one stream chunk. Must be O(1) in the number of earlier chunks."""

    def is_injected_chunk(self, chunk: Any) -> bool:
        """True for a chunk that exists only because the engine asked for usage (hidden from the caller)."""


class ResultHandler(Protocol):
    """How the engine finds the stream in a call's result and observes it.

    ``handle(result, invocation)`` returns the object to give back to the caller, which must be the very
    same object (or, for a plain generator, a generator) so that ``type(result)`` never changes.
    """

    def __call__(self, result: Any, invocation: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Target:
    """One method to wrap: ``name`` (``"Class.method"`` or ``"function"``) in ``module``, patched when that module
    is imported (at once if it already is); the engine never imports it."""

    module: str
    name: str
    codec: Codec
    is_async: bool = False
    # Optional vendor-specific result handling (raw responses, stream managers); default: the engine's.
    result_handler: ResultHandler | None = None
    # Optional filter ``applies(instance, args, kwargs)``, asked first on every call: False calls straight
    # through, untraced, at no other cost (a method shared by many services, e.g. botocore's client call path).
    applies: Callable[[Any, tuple[Any, ...], dict[str, Any]], bool] | None = None


# Returns the engine while it is active and instrumentation is not suppressed, else None.
EngineRef = Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Hook:
    """A method wrapped by the adapter's own wrapper, for calls that do not fit a Codec (platform SDKs,
    callbacks). ``factory(engine)`` returns a wrapt wrapper ``(wrapped, instance, args, kwargs)``; ``engine()``
    gives the active Engine or None (then the wrapper must just call through). The instrumentor installs and
    restores hooks exactly like Targets.
    """

    module: str
    name: str
    factory: Callable[[EngineRef], Callable[..., Any]]
