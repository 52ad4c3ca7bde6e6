"""Start-up cost, proven with ``sys.modules`` in fresh processes: importing us and instrument() load no vendor
SDK and no logging client; a vendor imported later (or before, or captured by name) is traced all the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from huggingplace_sdk.testing import ReplayServer, cassette_path, load_cassette, recorded_json


def _adapters_and_vendors() -> tuple[list[str], tuple[str, ...]]:
    """Every adapter of the workspace (by entry point) and the top-level vendor packages their Targets and Hooks
    name: new adapters are covered without editing this test."""
    from huggingplace_sdk._instrument import available_adapters

    adapters = available_adapters()
    vendors = {target.module.split(".")[0] for ep in adapters.values() for target in ep.load()().targets()}
    return sorted(adapters), tuple(sorted(vendors))


ADAPTERS, VENDORS = _adapters_and_vendors()
CASSETTE = cassette_path("openai", "test_chat__test_chat.yaml")

# Prefixed to every child: the vendor modules and our optional modules loaded so far, as JSON.
_LOADED = f"""
import json, sys
def loaded():
    vendors = sorted(m for m in sys.modules if m.split(".")[0] in {VENDORS!r})
    ours = sorted(m for m in ("httpx", "huggingplace_sdk._client", "huggingplace_sdk._server",
                              "huggingplace_sdk._cli", "huggingplace_sdk.server") if m in sys.modules)
    return {{"vendors": vendors, "optional": ours}}
def report(**values):
    print("REPORT " + json.dumps(values))
"""

_CALL_OPENAI = """
import openai
client = openai.OpenAI(api_key="sk-startup-secret", base_url=sys.argv[1] + "/v1")
reply = client.chat.completions.create(
    model="gpt-3.5-turbo", messages=[{"role": "user", "content": "Tell me a joke about opentelemetry"}])
"""

_CAPTURE = """
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
def spans():
    return [{"name": s.name, "response_id": (s.attributes or {}).get("gen_ai.response.id"),
             "response_model": (s.attributes or {}).get("gen_ai.response.model")}
            for s in exporter.get_finished_spans()]
"""


def _child_env() -> dict[str, str]:
    # Not under pytest in the child (internal errors would re-raise) and no exporters from the environment.
    return {k: v for k, v in os.environ.items()
            if k != "PYTEST_CURRENT_TEST" and not k.startswith(("OTEL_", "HUGGINGPLACE_"))}


def run_child(code: str, *args: str, launcher: list[str] | None = None,
              env: dict[str, str] | None = None) -> dict[str, Any]:
    script = _LOADED + code
    command = [*(launcher or []), sys.executable, "-c", script, *args]
    done = subprocess.run(command, env=env or _child_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = [x for x in done.stdout.splitlines() if x.startswith("REPORT ")]
    report: dict[str, Any] = json.loads(line.removeprefix("REPORT "))
    report["stdout"] = done.stdout
    return report


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    return recorded_json(load_cassette(CASSETTE)[0])


def test_import_loads_neither_vendors_nor_the_logging_client_until_it_is_used() -> None:
    report = run_child("""
import huggingplace_sdk as hp
before = loaded()
client_class = hp.HuggingPlace
report(before=before, after=loaded(), same=client_class is sys.modules["huggingplace_sdk._client"].HuggingPlace)
""")
    assert report["before"] == {"vendors": [], "optional": []}
    assert report["after"]["optional"] == ["httpx", "huggingplace_sdk._client"]
    assert report["same"] is True


def test_instrument_activates_every_adapter_and_imports_no_vendor_module() -> None:
    report = run_child(_CAPTURE + """
import huggingplace_sdk as hp
handle = hp.instrument(tracer_provider=provider)
report(adapters=sorted(handle.adapters), loaded=loaded())
""")
    assert {"openai", "anthropic", "mistralai", "langchain", "openai_agents"} <= set(ADAPTERS)
    assert report["adapters"] == ADAPTERS
    assert report["loaded"] == {"vendors": [], "optional": []}


def test_instrument_loads_an_adapter_only_when_its_vendor_is_imported() -> None:
    report = run_child(_CAPTURE + """
import huggingplace_sdk as hp
def machinery():
    heavy = ("wrapt", "packaging", "opentelemetry.instrumentation", "huggingplace_sdk._engine.engine")
    adapters = sorted({m.split(".")[0] for m in sys.modules
                       if m.startswith("huggingplace_instrumentation_") and m.endswith("._instrumentor")})
    return {"heavy": sorted(h for h in heavy if h in sys.modules), "adapters": adapters}
handle = hp.instrument(tracer_provider=provider)
armed = machinery()
import openai
after_openai = machinery()
states = {name: adapter.state for name, adapter in handle.adapters.items()}
report(armed=armed, after_openai=after_openai, states=states)
""")
    assert report["armed"] == {"heavy": [], "adapters": []}
    assert report["after_openai"]["adapters"] == ["huggingplace_instrumentation_openai"]
    # The engine and wrapt load with the adapter; opentelemetry-instrumentation and packaging never do.
    assert report["after_openai"]["heavy"] == ["huggingplace_sdk._engine.engine", "wrapt"]
    assert report["states"] == {name: "active" if name == "openai" else "waiting" for name in ADAPTERS}


def test_openai_imported_after_instrument_is_traced_from_its_first_call(recorded: dict[str, Any]) -> None:
    with ReplayServer(CASSETTE) as replay:
        report = run_child(_CAPTURE + """
import huggingplace_sdk as hp
hp.instrument(["openai"], tracer_provider=provider)
""" + _CALL_OPENAI + """
report(spans=spans(), reply_type=type(reply).__module__ + "." + type(reply).__qualname__)
""", replay.base_url)
    assert report["spans"] == [{"name": "chat gpt-3.5-turbo", "response_id": recorded["id"],
                                "response_model": recorded["model"]}]
    assert report["reply_type"] == "openai.types.chat.chat_completion.ChatCompletion"


def test_openai_imported_before_instrument_and_a_class_captured_by_name_are_traced(recorded: dict[str, Any]) -> None:
    with ReplayServer(CASSETTE) as replay:
        report = run_child(_CAPTURE + """
import openai
from openai.resources.chat.completions import Completions  # captured before instrument()
import huggingplace_sdk as hp
hp.instrument(["openai"], tracer_provider=provider)
client = openai.OpenAI(api_key="sk-startup-secret", base_url=sys.argv[1] + "/v1")
reply = Completions(client).create(
    model="gpt-3.5-turbo", messages=[{"role": "user", "content": "Tell me a joke about opentelemetry"}])
report(spans=spans())
""", replay.base_url)
    assert report["spans"] == [{"name": "chat gpt-3.5-turbo", "response_id": recorded["id"],
                                "response_model": recorded["model"]}]


def test_zero_code_mode_imports_no_vendor_until_the_app_does(recorded: dict[str, Any]) -> None:
    launcher = shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    assert launcher is not None
    env = {**_child_env(), "OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "none",
           "OTEL_LOGS_EXPORTER": "none"}
    with ReplayServer(CASSETTE) as replay:
        report = run_child("""
at_start = loaded()
""" + _CALL_OPENAI + """
report(at_start=at_start, reply_id=reply.id)
""", replay.base_url, launcher=[launcher], env=env)
    assert report["at_start"] == {"vendors": [], "optional": []}
    assert report["reply_id"] == recorded["id"]
    assert f'"gen_ai.response.id": "{recorded["id"]}"' in report["stdout"]  # the console exporter's span
