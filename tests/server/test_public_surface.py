from __future__ import annotations

import huggingplace_sdk.server as public_server
from huggingplace_sdk import _server


def test_public_server_module_names() -> None:
    assert sorted(public_server.__all__) == [
        "DEFAULT_DEV_API_KEY",
        "FaultInjector",
        "INGEST_PATH",
        "LocalServer",
        "LogStore",
        "OTLP_TRACES_PATH",
        "TraceStore",
    ]
    for name in public_server.__all__:
        assert getattr(public_server, name) is getattr(_server, name)
    assert public_server.INGEST_PATH == "/v2/chatgpt/store_generated_response"
    assert public_server.DEFAULT_DEV_API_KEY == "hp-local-dev-key"
    assert public_server.OTLP_TRACES_PATH == "/v1/traces"

