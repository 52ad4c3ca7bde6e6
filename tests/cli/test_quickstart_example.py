from __future__ import annotations

import subprocess
import sys
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"


def test_quickstart_script_runs_and_stores_its_logs() -> None:
    completed = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("sent 4 logs to http://127.0.0.1:")
    assert lines[-1] == "stored 4 logs"
    assert sum(": 3 logs" in line for line in lines if line.startswith("session ")) == 1
