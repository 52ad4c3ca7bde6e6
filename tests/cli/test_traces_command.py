"""``huggingplace traces``: trace trees from a server's store, in the console tree's format."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from huggingplace_sdk._cli import main
from huggingplace_sdk._console import ConsoleTreeExporter
from huggingplace_sdk._server import LocalServer


def _trace(server: LocalServer, key: str, session: str, console: io.StringIO) -> None:
    """One trace sent over OTLP and, in the same provider, printed by the console tree exporter."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ConsoleTreeExporter(console)))
    exporter = OTLPSpanExporter(endpoint=server.otlp_url, headers={"Authorization": f"Bearer {key}"})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("agent", attributes={"session.id": session, "user.id": "u-1"}):
        with tracer.start_as_current_span("chat m", attributes={
            "session.id": session, "gen_ai.response.model": "m-1",
            "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5,
        }):
            pass
        with tracer.start_as_current_span("execute_tool t", attributes={"session.id": session}):
            pass
    provider.shutdown()


def test_prints_the_console_tree_of_each_trace(
    server: LocalServer, server_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    console = io.StringIO()
    _trace(server, server_key, "s-a", console)
    _trace(server, server_key, "s-b", console)
    assert main(["traces", "--base-url", server.url, "--api-key", server_key]) == 0
    out = capsys.readouterr().out
    # Same lines as the console exporter printed for the same spans (durations included: same timestamps).
    printed = [line for line in out.splitlines() if not line.startswith("trace ")]
    expected = console.getvalue().strip().splitlines()
    assert [line.strip() for line in printed] == [line.strip() for line in expected]
    assert out.count("trace ") == 2

    assert main(["traces", "--base-url", server.url, "--api-key", server_key, "--session", "s-b", "--json"]) == 0
    [trace] = json.loads(capsys.readouterr().out)
    assert trace["session_id"] == "s-b" and len(trace["spans"]) == 3
    assert (trace["input_tokens"], trace["output_tokens"]) == (12, 5)

    assert main(["traces", "--base-url", server.url, "--api-key", server_key, "--last", "1"]) == 0
    assert capsys.readouterr().out.count("trace ") == 1


def test_reads_a_database_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "store.sqlite3"
    console = io.StringIO()
    with LocalServer(db_path=db, api_key="k-123456") as server:
        _trace(server, "k-123456", "s-file", console)
    assert main(["traces", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "agent [" in out and "model=m-1 in=12 out=5" in out
    assert main(["traces", "--db", str(tmp_path / "missing.sqlite3")]) == 2


def test_server_problems_exit_1(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["traces", "--base-url", server.url, "--api-key", "wrong"]) == 1
    assert "HTTP 401" in capsys.readouterr().err
    assert main(["traces", "--base-url", "http://127.0.0.1:9", "--api-key", "x"]) == 1
    assert main(["traces", "--base-url", server.url, "--last", "0"]) == 2
