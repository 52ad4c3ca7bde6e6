"""The default endpoint is the published one: the published SDK's README names it (seed 004)."""

from __future__ import annotations

from typing import Any

import pytest

from huggingplace_sdk._cli import main
from huggingplace_sdk._config import DEFAULT_BASE_URL
from huggingplace_sdk._server import LocalServer

# Copied from the published README's configuration example (shared/seeds/004_e4e927ea9b1547d5.txt).
PUBLISHED_BASE_URL = "https://anvsj57nul.execute-api.ap-south-1.amazonaws.com"

HarnessFactory = Any


def test_the_default_base_url_is_the_published_one() -> None:
    assert DEFAULT_BASE_URL == PUBLISHED_BASE_URL


async def test_a_client_without_base_url_posts_to_the_published_endpoint(
    make_harness: HarnessFactory, clean_env: pytest.MonkeyPatch
) -> None:
    harness = make_harness(base_url=None)
    await harness.call(harness.client.log, {"user_prompt": "q", "response": "a"})
    [request] = harness.server.requests
    assert str(request.url) == PUBLISHED_BASE_URL + "/v2/chatgpt/store_generated_response"


def test_doctor_shows_the_default_beside_a_custom_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalServer(api_key="hp-doctor-default-0123") as server:
        code = main(["doctor", "--org-id", "o", "--api-key", "hp-doctor-default-0123", "--base-url", server.url])
    assert code == 0
    out = capsys.readouterr().out
    assert f"base_url : {server.url} (default: {PUBLISHED_BASE_URL})" in out
