"""Zero-code mode: `opentelemetry-instrument` finds our adapter and our exporter through their entry points."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from huggingplace_sdk.server import LocalServer
from huggingplace_sdk.testing import ReplayServer, cassette_path, load_cassette, recorded_json

APP = """
import os
import openai

client = openai.OpenAI(api_key="sk-zero-code-secret", base_url=os.environ["REPLAY_URL"] + "/v1")
reply = client.chat.completions.create(
    model="gpt-3.5-turbo", messages=[{"role": "user", "content": "Tell me a joke about opentelemetry"}])
print(reply.id)
"""


def test_opentelemetry_instrument_traces_openai_into_huggingplace(tmp_path: Path) -> None:
    cassette = cassette_path("openai", "test_chat__test_chat.yaml")
    recorded = recorded_json(load_cassette(cassette)[0])
    script = tmp_path / "app.py"
    script.write_text(APP)
    launcher = shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    assert launcher is not None
    with ReplayServer(cassette) as replay, LocalServer(api_key="hp-zero-code-key", strict=True) as server:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
            "OTEL_TRACES_EXPORTER": "huggingplace",
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
            "OTEL_SERVICE_NAME": "zero-code-app",
            "HUGGINGPLACE_API_KEY": "hp-zero-code-key",
            "HUGGINGPLACE_ORG_ID": "org-zero",
            "HUGGINGPLACE_BASE_URL": server.url,
            "REPLAY_URL": replay.base_url,
        }
        result = subprocess.run([launcher, sys.executable, str(script)], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == recorded["id"]
        logs = server.store.logs()
    assert len(logs) == 1
    log = logs[0]
    assert log["llm_model"] == recorded["model"]
    assert log["token_count"] == recorded["usage"]["prompt_tokens"] + recorded["usage"]["completion_tokens"]
    assert log["org_id"] == "org-zero"
    assert "sk-zero-code-secret" not in repr(log)
    # The bare LLM call is the interaction itself: it has no descendants, so no steps.
    assert log["step_data"] == []
    assert (log["metaData"]["root_name"], log["metaData"]["root_kind"]) == ("chat gpt-3.5-turbo", "client")
    assert log["metaData"]["input_tokens"] == recorded["usage"]["prompt_tokens"]
