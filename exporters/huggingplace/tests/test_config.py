"""Construction: argument > environment > default, clear errors, zero-code entry point, public surface."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import huggingplace_exporter
import pytest
from huggingplace_exporter import ExporterSettings, HuggingPlaceSpanExporter

from huggingplace_sdk._errors import ConfigurationError

ENV = {
    "HUGGINGPLACE_API_KEY": "hp-env-key-0123456789abcdef",
    "HUGGINGPLACE_ORG_ID": "org-from-env",
    "HUGGINGPLACE_BASE_URL": "http://127.0.0.1:9",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(__import__("os").environ):
        if name.startswith("HUGGINGPLACE_"):
            monkeypatch.delenv(name)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def shut(exporter: HuggingPlaceSpanExporter) -> HuggingPlaceSpanExporter:
    exporter.shutdown(timeout_millis=100)
    return exporter


def test_public_names_are_pinned() -> None:
    assert huggingplace_exporter.__all__ == ["CONTENT_NOT_CAPTURED", "ExporterSettings", "HuggingPlaceSpanExporter"]


def test_zero_code_entry_point_builds_from_the_environment_alone(env: pytest.MonkeyPatch) -> None:
    [entry] = entry_points(group="opentelemetry_traces_exporter", name="huggingplace")
    exporter_class = entry.load()
    assert exporter_class is HuggingPlaceSpanExporter
    exporter = shut(exporter_class())
    assert "org-from-env" in repr(exporter) and "http://127.0.0.1:9" in repr(exporter)
    assert ENV["HUGGINGPLACE_API_KEY"] not in repr(exporter)


def test_missing_key_names_the_argument_and_the_variable(env: pytest.MonkeyPatch) -> None:
    env.delenv("HUGGINGPLACE_API_KEY")
    with pytest.raises(ConfigurationError, match=r"api_key.*HUGGINGPLACE_API_KEY"):
        HuggingPlaceSpanExporter()


def test_argument_beats_environment_beats_default(env: pytest.MonkeyPatch) -> None:
    env.setenv("HUGGINGPLACE_EXPORTER_MAX_BATCH_SIZE", "7")
    env.setenv("HUGGINGPLACE_EXPORTER_GZIP", "true")
    from_env = shut(HuggingPlaceSpanExporter())
    assert (from_env.settings.max_batch_size, from_env.settings.gzip) == (7, True)
    assert from_env.settings.max_queue_size == ExporterSettings().max_queue_size
    from_argument = shut(HuggingPlaceSpanExporter(org_id="org-arg", max_batch_size=3, gzip=False))
    assert (from_argument.settings.max_batch_size, from_argument.settings.gzip) == (3, False)
    assert "org-arg" in repr(from_argument)


@pytest.mark.parametrize(
    ("name", "value"),
    [("max_batch_size", 0), ("max_queue_size", -1), ("late_child_wait", -0.5), ("partial_after", 0),
     ("gzip", "yes"), ("max_batch_bytes", 1.5), ("base_url", "not a url"), ("mode", "staging")],
)
def test_bad_arguments_raise_at_construction(env: pytest.MonkeyPatch, name: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=name):
        HuggingPlaceSpanExporter(**{name: value})


def test_bad_environment_values_warn_and_fall_back(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    env.setenv("HUGGINGPLACE_EXPORTER_MAX_QUEUE_SIZE", "lots")
    env.setenv("HUGGINGPLACE_EXPORTER_GZIP", "maybe")
    env.setenv("HUGGINGPLACE_EXPORTER_SPOOL_DIR", str(tmp_path / "spool"))
    with caplog.at_level(logging.WARNING):
        exporter = shut(HuggingPlaceSpanExporter())
    assert exporter.settings.max_queue_size == ExporterSettings().max_queue_size
    assert exporter.settings.gzip is False
    assert exporter.settings.spool_dir == tmp_path / "spool"
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "HUGGINGPLACE_EXPORTER_MAX_QUEUE_SIZE" in warned and "HUGGINGPLACE_EXPORTER_GZIP" in warned


def test_batch_format_defaults_to_single_objects_and_reads_the_environment(env: pytest.MonkeyPatch) -> None:
    assert shut(HuggingPlaceSpanExporter()).settings.batch_format == "single"
    assert shut(HuggingPlaceSpanExporter()).settings.max_concurrent_requests == 4
    env.setenv("HUGGINGPLACE_EXPORTER_BATCH_FORMAT", "Array")
    assert shut(HuggingPlaceSpanExporter()).settings.batch_format == "array"
    assert shut(HuggingPlaceSpanExporter(batch_format="auto")).settings.batch_format == "auto"


def test_bad_batch_format_argument_raises_and_bad_environment_falls_back(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConfigurationError, match=r"batch_format must be one of"):
        HuggingPlaceSpanExporter(batch_format="arrays")
    with pytest.raises(ConfigurationError, match=r"max_concurrent_requests must be a positive integer"):
        HuggingPlaceSpanExporter(max_concurrent_requests=0)
    env.setenv("HUGGINGPLACE_EXPORTER_BATCH_FORMAT", "bulk")
    with caplog.at_level(logging.WARNING):
        assert shut(HuggingPlaceSpanExporter()).settings.batch_format == "single"
    assert "HUGGINGPLACE_EXPORTER_BATCH_FORMAT" in caplog.text
