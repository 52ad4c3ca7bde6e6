"""litellm never reaches the network in these tests: not at import (its model cost map), not on a call.

The conftest refuses every non-loopback connection and name lookup from the start of the session, and fails
any test during which one was attempted. Here a fresh interpreter proves the same for the import and a
traced call end to end, and the guard itself is shown to refuse.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from huggingplace_sdk.testing import cassette_path

from ._network_guard import ATTEMPTS

GUARD = Path(__file__).with_name("_network_guard.py")


def test_the_guard_refuses_other_hosts() -> None:
    before = len(ATTEMPTS)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("192.0.2.1", 443), timeout=1):
        pass
    with pytest.raises(ConnectionRefusedError):
        socket.getaddrinfo("raw.githubusercontent.com", 443)
    assert len(ATTEMPTS) == before + 2
    del ATTEMPTS[before:]  # deliberate: the autouse fixture fails a test for any attempt


def test_import_and_a_traced_call_stay_on_loopback() -> None:
    script = textwrap.dedent(f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("guard", {str(GUARD)!r})
        guard = importlib.util.module_from_spec(spec); spec.loader.exec_module(guard); guard.install()
        import litellm
        from huggingplace_instrumentation_litellm import LiteLLMInstrumentor
        from huggingplace_sdk.testing import ReplayServer, capture_spans
        with capture_spans() as capture, ReplayServer({str(cassette_path("litellm",
                "test_token_counts__TestTokenCounts.test_openai"))!r}) as server:
            capture.instrument(LiteLLMInstrumentor())
            litellm.completion(model="gpt-4o-mini", messages=[{{"role": "user", "content": "Hello!"}}],
                               api_base=server.base_url + "/v1", api_key="sk-test")
            print("spans", len(capture.spans()))
        print("attempts", guard.ATTEMPTS)
    """)
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "spans 1" in done.stdout
    assert "attempts []" in done.stdout, done.stdout
