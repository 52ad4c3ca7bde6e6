"""Version ranges decided without packaging agree with packaging; adapters are BaseInstrumentors to OTel."""

from __future__ import annotations

import importlib.metadata
import itertools
import subprocess
import sys

import pytest
from opentelemetry.instrumentation.dependencies import DependencyConflictError
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from packaging.requirements import Requirement

from huggingplace_sdk._engine import versions
from huggingplace_sdk.engine import GenAIInstrumentor, Target

SPECIFIERS = [">= 1.66, < 4", ">=1.0", "< 2", "<= 1.2", "> 1.7", "== 1.0", "!= 1.0", ">= 0.2, < 1",
              ">= 1.109,<2", "== 2", ">= 1.2.3, != 1.4, < 3.0.0"]
VERSIONS = ["0.1", "0.2", "0.2.0", "0.9.9", "1", "1.0", "1.0.0", "1.2", "1.2.0.0", "1.4", "1.7", "1.7.1", "1.66",
            "1.65.99", "1.109.0", "2", "2.0", "3.99", "4", "4.0.0", "10.0",
            # not final releases: left to packaging
            "2.0.0rc1", "1.7.post1", "4.0.dev0", "1.0+local", "1!1.0"]


@pytest.mark.parametrize(("specifier", "version"), list(itertools.product(SPECIFIERS, VERSIONS)))
def test_final_release_ranges_are_decided_as_packaging_decides_them(specifier: str, version: str) -> None:
    split = versions._split(f"vendor {specifier}")
    assert split is not None
    verdict = versions._final_release_satisfies(version, split[1])
    if verdict is None:
        assert not version.replace(".", "").isdigit()  # only releases with more than numbers are left over
    else:
        assert verdict == Requirement(f"vendor {specifier}").specifier.contains(version)


@pytest.mark.parametrize("requirement", ["vendor[extra] >= 1", "vendor >= 1.*", "vendor ~= 1.2",
                                         "vendor >= 1; python_version > '3'", "vendor >= 1.0rc1"])
def test_anything_beyond_plain_clauses_is_left_to_packaging(requirement: str) -> None:
    assert versions._split(requirement) is None


def test_conflicts_name_the_range_and_what_is_installed() -> None:
    found = importlib.metadata.version("opentelemetry-api")
    assert versions.conflict_of("opentelemetry-api >= 0") is None
    assert versions.conflict_of("opentelemetry-api < 0") == ("opentelemetry-api < 0", f"opentelemetry-api {found}")
    assert versions.conflict_of("no-such-distribution-hp >= 1") == ("no-such-distribution-hp >= 1", None)
    assert versions.conflict_of("opentelemetry-api ~= 0.1") is not None  # via packaging
    assert versions.conflict_of("not a requirement !!") == ("not a requirement !!", None)


class _Conflicting(GenAIInstrumentor):
    instruments = ("no-such-distribution-hp >= 1",)

    def targets(self) -> list[Target]:
        return []


def test_adapters_are_base_instrumentors_and_raise_otel_s_conflict_error_for_zero_code_mode(
        caplog: pytest.LogCaptureFixture) -> None:
    assert issubclass(_Conflicting, BaseInstrumentor) and isinstance(_Conflicting(), BaseInstrumentor)
    assert _Conflicting() is _Conflicting()
    with pytest.raises(DependencyConflictError, match="no-such-distribution-hp >= 1"):
        _Conflicting().instrument(raise_exception_on_conflict=True)
    _Conflicting().instrument()  # the manual path: logged, not raised
    assert not _Conflicting().is_instrumented_by_opentelemetry
    assert "_Conflicting not instrumented" in caplog.text


def test_loading_an_adapter_imports_neither_opentelemetry_instrumentation_nor_packaging() -> None:
    code = ("import sys, huggingplace_instrumentation_openai as a; a.OpenAIInstrumentor().instrument(); "
            "print(sorted(m for m in ('packaging', 'opentelemetry.instrumentation') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
