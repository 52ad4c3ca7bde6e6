"""At interpreter exit the exporter flushes what it holds, within a bounded budget."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CHILD = Path(__file__).with_name("atexit_child.py")


def run_child(server: Any, api_key: str, count: int, budget: float) -> float:
    """Run the child to completion; return seconds from the end of its main to its exit."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), server.url, api_key, str(count), str(budget)],
        stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith("EXITING "), line
    main_returned = float(line.split()[1])
    assert child.wait(timeout=30) == 0
    return time.monotonic() - main_returned


def test_interactions_still_buffered_at_exit_are_delivered(server: Any, api_key: str) -> None:
    run_child(server, api_key, count=3, budget=5.0)
    assert sorted(log["user_prompt"] for log in server.store.logs()) == [f"question {i}" for i in range(3)]


def test_exit_against_a_hung_endpoint_is_bounded_by_the_budget(server: Any, api_key: str) -> None:
    # Interpreter teardown with nothing pending, measured the same way on the same (possibly loaded) machine.
    teardown = run_child(server, api_key, count=0, budget=0.5)
    server.faults.hang_next(10)
    exit_took = run_child(server, api_key, count=2, budget=0.5)
    # The budget, plus teardown; a flush that waited on the hung endpoint would take 30 s (the child's timeout).
    assert exit_took <= 0.5 * 1.1 + 2 * teardown + 0.3
    assert server.store.count() == 0
