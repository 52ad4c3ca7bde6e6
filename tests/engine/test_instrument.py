"""instrument(): adapter discovery, providers (never hijacked), idempotence, exporters, uninstrument."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import huggingplace_sdk
from huggingplace_sdk import _instrument, session, trace_step
from huggingplace_sdk import _semconv as sc


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    huggingplace_sdk.uninstrument()


def test_adapters_are_discovered_through_the_entry_point_group() -> None:
    names = set(huggingplace_sdk.available_adapters())
    assert {"openai", "anthropic", "mistralai", "groq", "ollama", "cohere"} <= names


def test_reading_only_our_distributions_finds_what_a_scan_of_every_distribution_finds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from huggingplace_sdk import _discovery

    everything = {ep.name: ep for ep in metadata.entry_points(group="opentelemetry_instrumentor")
                  if ep.value.startswith("huggingplace_instrumentation_")}
    ours = _discovery.adapter_entry_points()
    assert {name: ep.value for name, ep in ours.items()} == {name: ep.value for name, ep in everything.items()}
    assert {name: ep.module for name, ep in ours.items()} == {name: ep.module for name, ep in everything.items()}
    assert ours["openai"].load() is everything["openai"].load()
    assert {name: ep.value for name, ep in huggingplace_sdk.available_adapters().items()} == {
        name: ep.value for name, ep in everything.items()}
    monkeypatch.setattr(_discovery, "_our_entry_point_files", list)  # none found: e.g. a zipped install
    assert {name: ep.value for name, ep in _discovery.adapter_entry_points().items()} == {
        name: ep.value for name, ep in everything.items()}


def test_entry_point_files_are_read_as_ini_sections() -> None:
    from huggingplace_sdk._discovery import AdapterEntryPoint, _section

    text = "[console_scripts]\nx = a:b\n\n# comment\n[opentelemetry_instrumentor]\nopenai = pkg.mod:Cls.inner [extra]\n"
    assert _section(text, "opentelemetry_instrumentor") == [("openai", "pkg.mod:Cls.inner [extra]")]
    assert AdapterEntryPoint("openai", "pkg.mod:Cls.inner [extra]").module == "pkg.mod"
    assert AdapterEntryPoint("json", "json:dumps").load() is __import__("json").dumps


def test_unknown_adapter_and_unknown_options_raise_before_anything_changes() -> None:
    with pytest.raises(ValueError, match="unknown adapter"):
        huggingplace_sdk.instrument(["nope"], tracer_provider=TracerProvider())
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        huggingplace_sdk.instrument(tracer_provider=TracerProvider(), nope={})
    with pytest.raises(TypeError, match="capture_content"):
        huggingplace_sdk.instrument(tracer_provider=TracerProvider(), capture_content="yes")  # type: ignore[arg-type]
    assert _instrument._current is None


def test_injected_provider_gets_session_stamping_and_second_call_returns_same_handle(
        caplog: pytest.LogCaptureFixture) -> None:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    handle = huggingplace_sdk.instrument([], tracer_provider=provider)
    assert huggingplace_sdk.instrument([], tracer_provider=provider) is handle
    assert "already called" in caplog.text
    with session("s-1"), trace_step("work"):
        pass
    [span] = exporter.get_finished_spans()
    assert span.name == "work" and (span.attributes or {})[sc.SESSION_ID] == "s-1"
    assert handle.tracer_provider is provider
    assert trace.get_tracer_provider() is not provider  # an injected provider is not made global


def test_selected_adapter_is_activated_and_uninstrument_restores_identity() -> None:
    import openai.resources.chat.completions as chat

    original = chat.Completions.__dict__["create"]
    handle = huggingplace_sdk.instrument(["openai"], tracer_provider=TracerProvider())
    assert list(handle.adapters) == ["openai"]
    assert chat.Completions.__dict__["create"] is not original
    huggingplace_sdk.uninstrument()
    assert chat.Completions.__dict__["create"] is original
    assert huggingplace_sdk.instrument(["openai"], tracer_provider=TracerProvider()) is not handle


def test_console_tree_is_printed_when_the_root_ends() -> None:
    provider = TracerProvider()
    huggingplace_sdk.instrument([], tracer_provider=provider)
    stream = io.StringIO()
    from huggingplace_sdk._console import ConsoleTreeExporter

    provider.add_span_processor(SimpleSpanProcessor(ConsoleTreeExporter(stream)))
    with trace_step("root"), trace_step("child"):
        pass
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("root [") and lines[1].startswith("  child [")


def test_otlp_exporter_is_wired_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    handle = huggingplace_sdk.instrument([], tracer_provider=TracerProvider())
    assert handle.exporters == ["otlp"]
    assert handle.shutdown(timeout=1.0) in (True, False)


def test_bad_otlp_protocol_raises() -> None:
    with pytest.raises(ValueError, match="otlp_protocol"):
        huggingplace_sdk.instrument([], tracer_provider=TracerProvider(), otlp_endpoint="http://127.0.0.1:9",
                                    otlp_protocol="carrier-pigeon")


def _run(code: str, **env: str) -> str:
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_global_provider_the_user_set_is_kept_and_extended() -> None:
    out = _run("""
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
import huggingplace_sdk as hp
mine = TracerProvider(); exporter = InMemorySpanExporter()
mine.add_span_processor(SimpleSpanProcessor(exporter)); trace.set_tracer_provider(mine)
handle = hp.instrument([])
assert trace.get_tracer_provider() is mine and handle.tracer_provider is mine
with hp.session("kept"), hp.trace_step("s"):
    pass
print(exporter.get_finished_spans()[0].attributes["session.id"])
""")
    assert out == "kept"


def test_without_a_provider_one_is_created_with_the_service_name() -> None:
    out = _run("""
from opentelemetry import trace
import huggingplace_sdk as hp
handle = hp.instrument([])
assert trace.get_tracer_provider() is handle.tracer_provider
print(handle.tracer_provider.resource.attributes["service.name"])
""", OTEL_SERVICE_NAME="checkout-bot")
    assert out == "checkout-bot"
