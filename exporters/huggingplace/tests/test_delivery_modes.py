"""Delivery modes: one log object per request by default, arrays opt-in, auto asks the server and falls back.

These tests pick their server (strict or batch-capable) themselves, so they run once each.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from huggingplace_exporter import HuggingPlaceSpanExporter

from huggingplace_sdk._server import LocalServer

from .conftest import API_KEY, ORG_ID

LOG_PATH = "/v2/chatgpt/store_generated_response"


class Recording(httpx.BaseTransport):
    """Forwards to the real server and records each request (method, path, body), and the most in flight."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, bytes]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append((request.method, request.url.path, request.read()))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            response = self._inner.handle_request(request)
            response.read()
            return response
        finally:
            with self._lock:
                self.in_flight -= 1

    def close(self) -> None:
        self._inner.close()

    def log_bodies(self) -> list[Any]:
        return [json.loads(body) for method, path, body in self.requests if method == "POST" and path == LOG_PATH]


@pytest.fixture
def servers() -> Iterator[Callable[..., LocalServer]]:
    started: list[LocalServer] = []

    def start(**options: Any) -> LocalServer:
        server = LocalServer(api_key=API_KEY, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.faults.clear()
        server.stop()


@pytest.fixture
def exporters(clock: Any) -> Iterator[Callable[..., HuggingPlaceSpanExporter]]:
    made: list[HuggingPlaceSpanExporter] = []

    def make(server: LocalServer, **overrides: Any) -> HuggingPlaceSpanExporter:
        settings: dict[str, Any] = {
            "api_key": API_KEY, "org_id": ORG_ID, "base_url": server.url, "late_child_wait": 60.0,
            "clock": clock, "sleep": clock.sleep, "atexit_timeout": 0,
        }
        settings.update(overrides)
        exporter = HuggingPlaceSpanExporter(**settings)
        made.append(exporter)
        return exporter

    yield make
    for exporter in made:
        exporter.shutdown(timeout_millis=2000)


def _prompts(server: LocalServer) -> Counter[str]:
    return Counter(log["user_prompt"] for log in server.store.logs())


def test_default_sends_one_log_object_per_request_to_the_strict_server(
    servers: Any, exporters: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server = servers(strict=True)
    transport = Recording()
    exporter = exporters(server, transport=transport)
    tracer = tracer_for(exporter)
    for i in range(25):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)

    bodies = transport.log_bodies()
    assert len(bodies) == 25 and all(isinstance(body, dict) for body in bodies)
    assert [method for method, _, _ in transport.requests] == ["POST"] * 25  # no capability probe
    assert _prompts(server) == Counter(f"question {i}" for i in range(25))
    assert 1 < transport.most_in_flight <= 4  # concurrent, within the default bound
    metrics = exporter.get_metrics()
    assert (metrics["sent"], metrics["dropped_total"], metrics["http"]["requests"]) == (25, 0, 25)


def test_concurrency_is_bounded_while_the_server_holds_every_request(
    servers: Any, exporters: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server = servers(strict=True)
    server.faults.hang_next(100)
    transport = Recording()
    exporter = exporters(server, max_concurrent_requests=3, timeout=10_000, transport=transport)
    tracer = tracer_for(exporter)
    for i in range(10):
        export_interaction(tracer, i)
    flushed: list[bool] = []
    flusher = threading.Thread(target=lambda: flushed.append(exporter.force_flush(10_000)))
    flusher.start()  # the flush releases the ten interactions as one batch; the server holds each request
    assert server.faults.wait_for_held(3)
    server.faults.clear()
    flusher.join()
    assert flushed == [True]
    assert transport.most_in_flight == 3  # three held at once, never a fourth
    assert _prompts(server) == Counter(f"question {i}" for i in range(10))
    assert exporter.get_metrics()["dropped_total"] == 0


def test_explicit_array_mode_against_the_strict_server_is_refused_and_counted(
    servers: Any, exporters: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server = servers(strict=True)
    exporter = exporters(server, batch_format="array")
    tracer = tracer_for(exporter)
    for i in range(5):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert server.store.count() == 0
    assert exporter.get_metrics()["dropped"] == {"rejected": 5}  # the user asked for arrays: no guessing


def test_auto_uses_arrays_once_the_server_announces_them(
    servers: Any, exporters: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server = servers()
    transport = Recording()
    exporter = exporters(server, batch_format="auto", transport=transport)
    tracer = tracer_for(exporter)
    for i in range(5):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert [(method, path) for method, path, _ in transport.requests] == [
        ("GET", "/v1/capabilities"), ("POST", LOG_PATH)
    ]
    [array] = transport.log_bodies()
    assert [log["user_prompt"] for log in array] == [f"question {i}" for i in range(5)]
    assert _prompts(server) == Counter(f"question {i}" for i in range(5))


def test_auto_against_the_strict_server_sends_single_objects(
    servers: Any, exporters: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server = servers(strict=True)
    transport = Recording()
    exporter = exporters(server, batch_format="auto", transport=transport)
    tracer = tracer_for(exporter)
    for i in range(5):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    assert transport.requests[0][:2] == ("GET", "/v1/capabilities")
    assert all(isinstance(body, dict) for body in transport.log_bodies())
    assert _prompts(server) == Counter(f"question {i}" for i in range(5))


@pytest.mark.parametrize("refusal", [400, 413])
def test_auto_falls_back_to_single_objects_when_an_array_is_refused(
    refusal: int, servers: Any, exporters: Any, tracer_for: Any, export_interaction: Any
) -> None:
    server = servers()  # announces arrays...
    server.faults.fail_next(1, status=refusal, body={"message": "arrays are not accepted here"})  # ...refuses one
    transport = Recording()
    exporter = exporters(server, batch_format="auto", transport=transport)
    tracer = tracer_for(exporter)
    for i in range(4):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)
    for i in range(4, 6):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000)

    kinds = [type(body).__name__ for body in transport.log_bodies()]
    assert kinds == ["list"] + ["dict"] * 6  # the refused array, then one log per request from then on
    assert _prompts(server) == Counter(f"question {i}" for i in range(6))  # none lost, none twice
    metrics = exporter.get_metrics()
    assert (metrics["sent"], metrics["duplicates"], metrics["dropped_total"]) == (6, 0, 0)


def test_partly_settled_batch_keeps_only_the_owed_logs_and_resends_them_byte_for_byte(
    servers: Any, exporters: Any, clock: Any, tracer_for: Any, export_interaction: Any, tmp_path: Path
) -> None:
    server = servers(strict=True)
    spool_dir = tmp_path / "spool"
    server.faults.fail_next(2, status=503)
    first = Recording()
    exporter = exporters(server, transport=first, spool_dir=spool_dir, max_retries=0, max_concurrent_requests=1)
    tracer = tracer_for(exporter)
    for i in range(5):
        export_interaction(tracer, i)
    assert exporter.force_flush(5000) is False  # two logs still owed, resting in the spool
    assert server.store.count() == 3
    [spool_file] = spool_dir.glob("*.jsonl")
    assert spool_file.name.endswith("-2.jsonl")
    sent_first = [body for _, _, body in first.requests]
    owed = sent_first[:2]  # the two answered 503
    assert spool_file.read_bytes() == b"\n".join(owed) + b"\n"

    exporter.shutdown(timeout_millis=2000)
    second = Recording()
    restarted = exporters(server, transport=second, spool_dir=spool_dir)
    assert restarted.force_flush(5000)
    assert sorted(body for _, _, body in second.requests) == sorted(owed)  # exactly as first sent
    assert _prompts(server) == Counter(f"question {i}" for i in range(5))
    assert list(spool_dir.glob("*.jsonl")) == []


def test_a_spool_written_as_a_json_array_by_an_earlier_version_is_resent(
    servers: Any, exporters: Any, tmp_path: Path
) -> None:
    server = servers(strict=True)
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    logs = [
        {"user_prompt": f"legacy {i}", "response": "r", "ai_response": "r", "org_id": ORG_ID, "mode": "prod",
         "message_id": f"legacy-{i}"}
        for i in range(2)
    ]
    (spool_dir / "00000000000000000001-1-00000000-2.json").write_text(json.dumps(logs))
    exporter = exporters(server, spool_dir=spool_dir)
    assert exporter.force_flush(5000)
    assert _prompts(server) == Counter({"legacy 0": 1, "legacy 1": 1})
    assert list(spool_dir.iterdir()) == []
