"""The README's tracing example runs offline and prints the nested trace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "tracing.py"


def test_tracing_example_prints_nested_steps_with_usage_and_session() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    tree = [line for line in result.stderr.splitlines() if "[" in line and "ms]" in line]
    assert tree[0].startswith("answer [") and "in=39 out=19" in tree[0] and "session=session-42" in tree[0]
    assert tree[1].startswith("  chat gpt-4o-mini [") and "in=21 out=13" in tree[1]
    assert tree[2].startswith("  execute_tool lookup_joke_rating [")
    assert "stream=completed" in tree[3] and "in=18 out=6" in tree[3]
    assert "Spans all the way down." in result.stdout
