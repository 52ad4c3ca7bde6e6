"""instrument(): activate our adapters, wire exporters, and keep the handle that undoes it all."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace import TracerProvider as SDKTracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

from . import _context
from ._discovery import ENTRY_POINT_GROUP, AdapterEntryPoint, adapter_entry_points
from ._engine.activation import AdapterActivation, arm_adapter
from ._engine.cost import PricesArg
from ._engine.options import EngineOptions, env_flag
from ._processor import SessionSpanProcessor

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

_logger = logging.getLogger("huggingplace_sdk")
_DEFAULT_SERVICE_NAME = "huggingplace-app"
ENV_CONSOLE = "HUGGINGPLACE_CONSOLE"
ENV_API_KEY = "HUGGINGPLACE_API_KEY"
ENV_ORG_ID = "HUGGINGPLACE_ORG_ID"
_ENGINE_KEYS = ("capture_content", "redact", "max_content_bytes", "emit_legacy_system", "prices")

_lock = threading.Lock()
_current: Instrumentation | None = None


def available_adapters() -> dict[str, EntryPoint]:
    """Our adapters registered under the ``opentelemetry_instrumentor`` entry point, by name."""
    from importlib import metadata  # on first use: importing it costs every app start-up

    return {name: metadata.EntryPoint(name=name, value=ep.value, group=ENTRY_POINT_GROUP)
            for name, ep in adapter_entry_points().items()}


class Instrumentation:
    """The handle instrument() returns: what was activated, and flush / shutdown / uninstrument."""

    def __init__(self, tracer_provider: trace.TracerProvider, meter_provider: metrics.MeterProvider | None,
                 owns_provider: bool) -> None:
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.adapters: dict[str, AdapterActivation] = {}
        self.exporters: list[str] = []
        self._processors: list[SpanProcessor] = []
        self._session_processor: SessionSpanProcessor | None = None
        self._owns_provider = owns_provider
        self._active = True

    def flush(self, timeout: float = 5.0) -> bool:
        """Export what is pending; returns within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        ok = True
        for processor in self._processors:
            remaining = max(0.0, deadline - time.monotonic())
            ok = processor.force_flush(int(remaining * 1000)) and ok
        flush_metrics = getattr(self.meter_provider, "force_flush", None)
        if flush_metrics is not None and self._owns_provider:
            remaining = max(0.0, deadline - time.monotonic())
            ok = bool(flush_metrics(int(remaining * 1000))) and ok
        return ok

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Uninstrument, flush and stop our exporters (never the user's own processors)."""
        deadline = time.monotonic() + timeout
        self.uninstrument()
        ok = True
        for processor in self._processors:
            remaining = max(0.0, deadline - time.monotonic())
            ok = processor.force_flush(int(remaining * 1000)) and ok
            _shutdown_within(processor, max(0.0, deadline - time.monotonic()))
        self._processors = []
        return ok

    def uninstrument(self) -> None:
        """Restore every wrapped vendor method and stop stamping sessions; idempotent."""
        global _current
        with _lock:
            if not self._active:
                return
            self._active = False
            for adapter in self.adapters.values():
                adapter.uninstrument()
            if self._session_processor is not None:
                self._session_processor.enabled = False
            _context.set_tracer_provider(None)
            if _current is self:
                _current = None


def _shutdown_within(processor: SpanProcessor, timeout: float) -> None:
    """Shut a processor down without letting a hung exporter hold the caller past ``timeout``."""
    worker = threading.Thread(target=processor.shutdown, name="huggingplace-shutdown", daemon=True)
    worker.start()
    worker.join(timeout)


def instrument(
    adapters: Iterable[str] | None = None,
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    service_name: str | None = None,
    otlp_endpoint: str | None = None,
    otlp_protocol: str | None = None,
    console: bool | None = None,
    huggingplace: bool | Mapping[str, Any] | SpanExporter | None = None,
    capture_content: bool | None = None,
    redact: Any = None,
    max_content_bytes: int | None = None,
    emit_legacy_system: bool | None = None,
    prices: PricesArg = None,
    **adapter_options: Mapping[str, Any],
) -> Instrumentation:
    """Trace every call made through the vendor clients our installed adapters support.

    ``adapters`` names the adapters to activate (default: every installed one whose vendor library is
    installed). ``prices`` adds or overrides USD prices per million tokens: a mapping
    ``{model: {"input": ..., "output": ..., "cache_read": ..., "cache_write": ..., "reasoning": ...}}`` or a
    callable ``(provider, model) -> such a mapping or None``. Per-adapter options go in a mapping named
    after the adapter, e.g. ``instrument(openai={"stream_usage": True})``. A second call warns and returns
    the same handle.
    """
    global _current
    with _lock:
        if _current is not None:
            _logger.warning("instrument() was already called; returning the existing instrumentation")
            return _current
        engine_kwargs = {"capture_content": capture_content, "redact": redact,
                         "max_content_bytes": max_content_bytes, "emit_legacy_system": emit_legacy_system,
                         "prices": prices}
        EngineOptions.resolve(engine_kwargs)  # bad arguments raise here, before anything is changed
        registry = adapter_entry_points()
        wanted = _select(adapters, registry, adapter_options)
        provider, owned = _resolve_tracer_provider(tracer_provider, service_name)
        meter = meter_provider
        handle = Instrumentation(provider, meter, owned)
        _attach_processors(handle, provider, otlp_endpoint, otlp_protocol, console, huggingplace)
        _context.set_tracer_provider(provider if tracer_provider is not None else None)
        for name in wanted:
            activation = _activate(name, registry[name], provider, meter, engine_kwargs,
                                   dict(adapter_options.get(name) or {}))
            if activation is not None:
                handle.adapters[name] = activation
        _current = handle
        return handle


def _select(adapters: Iterable[str] | None, registry: Mapping[str, AdapterEntryPoint],
            options: Mapping[str, Any]) -> list[str]:
    for name, value in options.items():
        if name not in registry:
            raise TypeError(f"instrument() got an unexpected keyword argument {name!r} "
                            f"(adapter options are accepted for: {', '.join(sorted(registry)) or 'none'})")
        if not isinstance(value, Mapping):
            raise TypeError(f"options for adapter {name!r} must be a mapping")
    if adapters is None:
        return sorted(registry)
    if isinstance(adapters, str):
        adapters = [adapters]
    names = list(adapters)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown adapter(s) {unknown}; installed: {sorted(registry)}")
    return names


def _activate(name: str, ep: AdapterEntryPoint, provider: trace.TracerProvider, meter: metrics.MeterProvider | None,
              engine_kwargs: Mapping[str, Any], options: dict[str, Any]) -> AdapterActivation | None:
    """Arm the adapter: it loads and patches when its vendor is imported (at once if it already is)."""
    kwargs = {k: v for k, v in engine_kwargs.items() if v is not None}
    kwargs.update(options)

    def start(instrumentor_class: Any) -> tuple[Any, str]:
        instrumentor = instrumentor_class()
        if instrumentor.is_instrumented_by_opentelemetry:
            return None, "already instrumented by another instrumentation (e.g. opentelemetry-instrument)"
        conflict = instrumentor._check_dependency_conflicts()
        if conflict is not None:
            _logger.warning("adapter %s skipped: %s", name, conflict)
            return None, str(conflict)
        instrumentor.instrument(tracer_provider=provider, meter_provider=meter, skip_dep_check=True, **kwargs)
        return instrumentor, ""

    return arm_adapter(name, ep, start)


def _resolve_tracer_provider(given: trace.TracerProvider | None,
                             service_name: str | None) -> tuple[trace.TracerProvider, bool]:
    if given is not None:
        return given, False
    current = trace.get_tracer_provider()
    if isinstance(current, SDKTracerProvider) or not isinstance(current, trace.ProxyTracerProvider):
        return current, False  # the user's provider: add to it, never replace it
    name = service_name or os.environ.get("OTEL_SERVICE_NAME") or _DEFAULT_SERVICE_NAME
    provider = SDKTracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    trace.set_tracer_provider(provider)
    return provider, True


def _attach_processors(handle: Instrumentation, provider: trace.TracerProvider, otlp_endpoint: str | None,
                       otlp_protocol: str | None, console: bool | None,
                       huggingplace: bool | Mapping[str, Any] | SpanExporter | None) -> None:
    add = getattr(provider, "add_span_processor", None)
    if add is None:
        _logger.warning("the tracer provider %s takes no span processors: sessions are not stamped and no "
                        "exporter is added", type(provider).__name__)
        return
    session_processor = SessionSpanProcessor()
    add(session_processor)
    handle._session_processor = session_processor
    exporters: list[tuple[str, SpanProcessor]] = []
    otlp = _otlp_exporter(otlp_endpoint, otlp_protocol)
    if otlp is not None:
        exporters.append(("otlp", BatchSpanProcessor(otlp)))
    if console if console is not None else env_flag(ENV_CONSOLE, False):
        from ._console import ConsoleTreeExporter

        exporters.append(("console", SimpleSpanProcessor(ConsoleTreeExporter())))
    hp = _huggingplace_exporter(huggingplace)
    if hp is not None:
        # Our exporter only enqueues in export(); its own worker batches and delivers.
        exporters.append(("huggingplace", _FlushingSimpleSpanProcessor(hp)))
    for name, processor in exporters:
        add(processor)
        handle._processors.append(processor)
        handle.exporters.append(name)


class _FlushingSimpleSpanProcessor(SimpleSpanProcessor):
    """SimpleSpanProcessor whose force_flush reaches the exporter (the SDK's returns True without it).

    The HuggingPlace exporter holds finished interactions in its own queue, so flush() must reach it.
    """

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return bool(self.span_exporter.force_flush(timeout_millis))


def _otlp_exporter(endpoint: str | None, protocol: str | None) -> SpanExporter | None:
    env_endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT")
    if endpoint is None and not env_endpoint:
        return None
    protocol = (protocol or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
    if protocol not in ("http/protobuf", "grpc"):
        raise ValueError(f"otlp_protocol must be 'http/protobuf' or 'grpc', not {protocol!r}")
    try:
        if protocol == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # type: ignore[import-not-found]
                OTLPSpanExporter as Grpc,
            )
            exporter: SpanExporter = Grpc(endpoint=endpoint) if endpoint else Grpc()
            return exporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http
    except ImportError:
        extra = "otlp-grpc" if protocol == "grpc" else "otlp"
        _logger.warning("OTLP endpoint configured but the exporter is not installed: "
                        "pip install 'huggingplace-sdk[%s]'", extra)
        return None
    if endpoint:
        url = endpoint.rstrip("/")
        return Http(endpoint=url if url.endswith("/v1/traces") else url + "/v1/traces")
    return Http()


def _huggingplace_exporter(option: bool | Mapping[str, Any] | SpanExporter | None) -> SpanExporter | None:
    if isinstance(option, SpanExporter):
        return option
    if option is False:
        return None
    if option is None and not (os.environ.get(ENV_API_KEY) and os.environ.get(ENV_ORG_ID)):
        return None
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="opentelemetry_traces_exporter") if ep.name == "huggingplace"]
    if not eps:
        _logger.warning("HuggingPlace credentials are configured but huggingplace-exporter is not installed")
        return None
    exporter_cls = eps[0].load()
    kwargs = dict(option) if isinstance(option, Mapping) else {}
    exporter: SpanExporter = exporter_cls(**kwargs)
    return exporter


def uninstrument() -> None:
    """Undo instrument(): restore vendor methods (identity included)."""
    handle = _current
    if handle is not None:
        handle.uninstrument()


def flush(timeout: float = 5.0) -> bool:
    handle = _current
    return True if handle is None else handle.flush(timeout)


def shutdown(timeout: float = 5.0) -> bool:
    handle = _current
    return True if handle is None else handle.shutdown(timeout)
