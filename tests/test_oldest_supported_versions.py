"""Each LLM adapter's own tests, re-run against the oldest vendor release it claims to support.

The newest releases are what the workspace installs (the rest of the suite). Here every adapter's test
folder runs again in a uv overlay that pins the vendor library to the bottom of its `instruments` range.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from huggingplace_sdk.testing import MUTATION_CASES_ENV

ROOT = Path(__file__).parents[1]
LLM_ADAPTERS = ("openai", "anthropic", "mistralai", "google_genai", "bedrock", "litellm", "groq", "ollama", "cohere")


def oldest_claimed(adapter: str) -> str:
    """``name==X.Y.0`` from the lower bound of the adapter's ``instruments`` extra (what it claims)."""
    text = (ROOT / "instrumentation" / adapter / "pyproject.toml").read_text()
    [requirement] = re.findall(r'^instruments = \["([^"]+)"\]$', text, flags=re.MULTILINE)
    match = re.fullmatch(r"\s*([\w.-]+)\s*>=\s*([\d.]+)\s*,\s*<\s*[\d.]+\s*", requirement)
    assert match, f"unexpected instruments requirement {requirement!r}"
    name, version = match.groups()
    parts = [*version.split("."), "0", "0"][:3]
    return f"{name}=={'.'.join(parts)}"


OLDEST = {adapter: oldest_claimed(adapter) for adapter in LLM_ADAPTERS}

pytestmark = pytest.mark.compat


@pytest.mark.timeout(900)  # a whole adapter suite in a fresh overlay: far above the per-test default
@pytest.mark.parametrize(("adapter", "pin"), sorted(OLDEST.items()))
def test_adapter_passes_at_its_oldest_supported_release(adapter: str, pin: str) -> None:
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    command = [uv, "run", "--no-sync", "--with", pin] if uv else [sys.executable, "-m", "uv", "run", "--no-sync",
                                                                  "--with", pin]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env[MUTATION_CASES_ENV] = "3"  # every kind of malformed response, not the full sample again
    result = subprocess.run([*command, "pytest", f"instrumentation/{adapter}", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    tail = "\n".join(result.stdout.splitlines()[-15:])
    assert result.returncode == 0, f"{adapter} at {pin} failed:\n{tail}\n{result.stderr[-2000:]}"
    assert " passed" in tail
    version = pin.split("==")[1]
    probe = subprocess.run([*command, "python", "-c",
                            f"import importlib.metadata as m; print(m.version({pin.split('==')[0]!r}))"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert probe.stdout.strip() == version, probe.stderr


def test_cost_engine_passes_at_the_oldest_genai_prices_it_claims() -> None:
    """The price table's API as we use it (calc_price, Usage, resolved prices) at our lower bound."""
    [version] = re.findall(r'"genai-prices>=([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    pin = f"genai-prices=={version}"
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    command = [uv, "run", "--no-sync", "--with", pin] if uv else [sys.executable, "-m", "uv", "run", "--no-sync",
                                                                  "--with", pin]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    result = subprocess.run([*command, "python", "-c", "import genai_prices; print(genai_prices.__version__)"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.stdout.strip() == version, result.stderr
    result = subprocess.run([*command, "pytest", "tests/cost/test_table.py", "tests/cost/test_user_prices.py", "-q",
                             "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    tail = "\n".join(result.stdout.splitlines()[-15:])
    assert result.returncode == 0 and " passed" in tail, f"cost tests at {pin} failed:\n{tail}\n{result.stderr[-2000:]}"
