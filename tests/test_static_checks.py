"""Lint and type checks as tests, so `uv run pytest` (what CI runs) gates on them.

Deselect for a quick local run with ``-m "not static"``. Configuration lives in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.static, pytest.mark.timeout(900)]


def _run_module(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=850,
        stdin=subprocess.DEVNULL,
    )


def test_ruff_check_is_clean() -> None:
    completed = _run_module("ruff", "check")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_mypy_strict_is_clean() -> None:
    completed = _run_module("mypy")
    assert completed.returncode == 0, completed.stdout + completed.stderr
