"""What a vendor adapter declares: which methods to wrap and how to read requests, responses and chunks.

An adapter never starts, ends or annotates spans itself. It describes each wrapped method with a
:class:`Target` whose :class:`Codec` reads the vendor's objects into the engine's neutral records:
:class:`Request` going in, and calls on a :class:`Recorder` coming out (once for a plain response, once
per chunk for a stream). The engine owns the span lifecycle, the stream contract, usage provenance,
content policy, metrics and the never-break-the-call guard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NamedTuple, Protocol

from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

# A structured message in the GenAI conventions' JSON shape, e.g.
# {"role": "user", "parts": [{"type": "text", "content": "hi"}]}.
Message = dict[str, Any]


# The classes here are written out rather than made with @dataclass: creating a dataclass costs about 1 ms
# (it compiles its methods at import time), and every adapter loads this module when its vendor is imported.
class Call:
    """One intercepted call. ``kwargs`` is the caller's own dict: a codec may replace it with a changed copy
    (e.g. to request stream usage), never mutate it."""

    __slots__ = ("args", "instance", "kwargs", "options")

    def __init__(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 options: Mapping[str, Any]) -> None:
        self.instance = instance
        self.args = args
        self.kwargs = kwargs
        self.options = options  # the adapter's resolved options (engine-level and adapter-level)

    def __repr__(self) -> str:
        return f"Call(instance={self.instance!r}, args={self.args!r}, kwargs={self.kwargs!r}, options={self.options!r})"


class Request:
    """What the codec read from a call before it is made.

    ``operation`` is a GenAI operation name (``chat``, ``text_completion``, ``embeddings`` ...) for inference
    spans, or any other name for platform operations (then ``inference=False``). ``span_name`` defaults to
    ``"{operation} {model}"`` (or ``operation`` alone when there is no model).

    Content is read lazily: ``input_messages``, ``system_instructions`` and ``tool_definitions`` run only when
    content capture is on. ``usage_injected`` is set by a codec that changed the request so that a stream
    reports usage: the engine then hides the chunks for which ``Codec.is_injected_chunk`` is true, so the
    caller sees what it asked for. ``secrets`` are this call's secret values (keys, tokens), which must never
    appear in recorded error text.
    """

    __slots__ = ("attributes", "inference", "input_messages", "kind", "model", "operation", "provider", "secrets",
                 "server_address", "server_port", "span_name", "stream", "system_instructions", "tool_definitions",
                 "usage_injected")

    def __init__(self, operation: str, provider: str, model: str | None = None, stream: bool = False,
                 inference: bool = True, span_name: str | None = None, kind: SpanKind = SpanKind.CLIENT,
                 attributes: dict[str, AttributeValue] | None = None, server_address: str | None = None,
                 server_port: int | None = None, input_messages: Callable[[], list[Message]] | None = None,
                 system_instructions: Callable[[], list[dict[str, Any]]] | None = None,
                 tool_definitions: Callable[[], list[dict[str, Any]]] | None = None,
                 usage_injected: bool = False, secrets: tuple[str, ...] = ()) -> None:
        self.operation = operation
        self.provider = provider
        self.model = model
        self.stream = stream
        self.inference = inference
        self.span_name = span_name
        self.kind = kind
        self.attributes: dict[str, AttributeValue] = {} if attributes is None else attributes
        self.server_address = server_address
        self.server_port = server_port
        self.input_messages = input_messages
        self.system_instructions = system_instructions
        self.tool_definitions = tool_definitions
        self.usage_injected = usage_injected
        self.secrets = secrets

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"Request({fields})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not Request:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    _FIELDS: ClassVar[tuple[str, ...]] = (
        "operation", "provider", "model", "stream", "inference", "span_name", "kind", "attributes", "server_address",
        "server_port", "input_messages", "system_instructions", "tool_definitions", "usage_injected", "secrets")


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


class Target(NamedTuple):
    """One method to wrap: ``name`` (``"Class.method"`` or ``"function"``) in ``module``, patched when that module
    is imported (at once if it already is); the engine never imports it.

    ``result_handler``: optional vendor-specific result handling (raw responses, stream managers); default: the
    engine's. ``applies``: optional filter ``applies(instance, args, kwargs)``, asked first on every call: False
    calls straight through, untraced, at no other cost (a method shared by many services, e.g. botocore's
    client call path)."""

    module: str
    name: str
    codec: Codec
    is_async: bool = False
    result_handler: ResultHandler | None = None
    applies: Callable[[Any, tuple[Any, ...], dict[str, Any]], bool] | None = None


# Returns the engine while it is active and instrumentation is not suppressed, else None.
EngineRef = Callable[[], Any]


class Hook(NamedTuple):
    """A method wrapped by the adapter's own wrapper, for calls that do not fit a Codec (platform SDKs,
    callbacks). ``factory(engine)`` returns a wrapt wrapper ``(wrapped, instance, args, kwargs)``; ``engine()``
    gives the active Engine or None (then the wrapper must just call through). The instrumentor installs and
    restores hooks exactly like Targets.
    """

    module: str
    name: str
    factory: Callable[[EngineRef], Callable[..., Any]]
