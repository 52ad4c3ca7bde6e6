"""After os.fork() the child gets a fresh worker and never resends what the parent had queued."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_forked_child_sends_only_its_own_interactions(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any
) -> None:
    exporter = make_exporter(late_child_wait=60.0)
    tracer = tracer_for(exporter)
    export_interaction(tracer, 1)  # buffered in the parent, not sent yet
    export_interaction(tracer, 2)
    assert exporter.get_metrics()["open_traces"] == 2

    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 1
        try:
            fresh = exporter.get_metrics()["open_traces"] == 0
            export_interaction(tracer, 100)
            flushed = exporter.force_flush(5000)
            sent = exporter.get_metrics()["sent"]
            code = 0 if (fresh and flushed and sent == 1) else 3
        except BaseException as exc:  # report, then leave without pytest's teardown
            print(f"child failed: {exc!r}", file=sys.stderr)
            code = 2
        finally:
            os._exit(code)

    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert [log["user_prompt"] for log in server.store.logs()] == ["question 100"]

    assert exporter.force_flush(5000)  # the parent's own worker still delivers its own queue
    prompts = sorted(log["user_prompt"] for log in server.store.logs())
    assert prompts == ["question 1", "question 100", "question 2"]
