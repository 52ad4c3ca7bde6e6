"""An interaction the worker has taken out of the queue but not yet sent is still accounted for.

The worker is held inside the conversion of the first interaction (events, not sleeps): the window where it
is neither queued nor in flight. The queue bound must still include it, and a shutdown that gives up on the
worker must count it as dropped instead of losing it silently.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from huggingplace_exporter import _worker


@dataclass
class HeldConversion:
    entered: threading.Event = field(default_factory=threading.Event)  # the worker is converting
    proceed: threading.Event = field(default_factory=threading.Event)  # the test lets it go on


@pytest.fixture
def held_conversion(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldConversion]:
    held = HeldConversion()
    convert = _worker.interaction_to_log_options

    def convert_once_held(interaction: Any) -> Any:
        if not held.entered.is_set():
            held.entered.set()
            held.proceed.wait(30)
        return convert(interaction)

    monkeypatch.setattr(_worker, "interaction_to_log_options", convert_once_held)
    yield held
    held.proceed.set()  # never leave the worker stuck behind a failed test


def test_the_queue_bound_counts_the_interaction_being_converted(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, held_conversion: HeldConversion
) -> None:
    exporter = make_exporter(max_queue_size=3)
    tracer = tracer_for(exporter)
    export_interaction(tracer, 0)
    assert held_conversion.entered.wait(10)  # interaction 0 is out of the queue, in the worker's hands

    for i in range(1, 6):
        export_interaction(tracer, i)
    metrics = exporter.get_metrics()
    assert metrics["queued"] == 3  # interaction 0 and the two that still fitted
    assert metrics["dropped"] == {"queue_full": 3}

    held_conversion.proceed.set()
    assert exporter.force_flush(5000)
    assert sorted(log["user_prompt"] for log in server.store.logs()) == [f"question {i}" for i in range(3)]
    assert exporter.get_metrics()["sent"] == 3


def test_a_shutdown_that_gives_up_counts_the_interaction_being_converted(
    server: Any, make_exporter: Any, tracer_for: Any, export_interaction: Any, held_conversion: HeldConversion
) -> None:
    exporter = make_exporter()
    export_interaction(tracer_for(exporter), 0)
    assert held_conversion.entered.wait(10)

    exporter.shutdown(timeout_millis=50)  # the worker is still held: shutdown abandons it

    assert exporter.get_metrics()["dropped"] == {"shutdown": 1}
    held_conversion.proceed.set()
    worker_thread = exporter._worker._thread
    assert worker_thread is not None
    worker_thread.join(10)
    assert not worker_thread.is_alive()
    assert server.store.count() == 0  # abandoned: it sends nothing more, so nothing is both counted and stored
    assert exporter.get_metrics()["sent"] == 0
