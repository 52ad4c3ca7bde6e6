"""Construction: keyword, dict (snake and camelCase) and environment forms; precedence; errors; defaults."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from huggingplace_sdk import ConfigurationError, HuggingPlace, HuggingPlaceError, SyncHuggingPlace
from huggingplace_sdk._config import DEFAULT_BASE_URL

KEY = "hp-config-key-00000000wxyz"
ClientClass = type[HuggingPlace] | type[SyncHuggingPlace]


async def _close(client: HuggingPlace | SyncHuggingPlace) -> None:
    if isinstance(client, HuggingPlace):
        await client.aclose()
    else:
        client.close()


async def test_keyword_form_and_defaults(client_class: ClientClass, clean_env: pytest.MonkeyPatch) -> None:
    client = client_class(api_key=KEY, org_id="org-1")
    config = client.config
    assert (config.api_key, config.org_id) == (KEY, "org-1")
    assert config.mode == "prod"
    assert config.base_url == "https://anvsj57nul.execute-api.ap-south-1.amazonaws.com" == DEFAULT_BASE_URL
    assert config.timeout_ms == 10000
    assert config.timeout_s == 10.0
    assert (config.max_retries, config.retry_deadline_s) == (4, 30.0)
    assert config.rate_limit is None
    assert config.log_format == "text"
    await _close(client)


@pytest.mark.parametrize(
    "options",
    [
        {
            "api_key": KEY,
            "org_id": "org-2",
            "mode": "dev",
            "base_url": "http://localhost:8080/",
            "timeout": 2500,
        },
        {
            "apiKey": KEY,
            "orgId": "org-2",
            "mode": "dev",
            "baseUrl": "http://localhost:8080/",
            "timeout": 2500,
        },
    ],
    ids=["snake_case", "camelCase"],
)
async def test_dict_form(
    client_class: ClientClass, clean_env: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    client = client_class(options)
    config = client.config
    assert (config.api_key, config.org_id, config.mode) == (KEY, "org-2", "dev")
    assert config.base_url == "http://localhost:8080"  # trailing slash dropped
    assert config.timeout_ms == 2500
    await _close(client)


async def test_environment_form(client_class: ClientClass, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HUGGINGPLACE_API_KEY", KEY)
    clean_env.setenv("HUGGINGPLACE_ORG_ID", "org-env")
    clean_env.setenv("HUGGINGPLACE_MODE", "dev")
    clean_env.setenv("HUGGINGPLACE_BASE_URL", "https://eu.huggingplace.test")
    clean_env.setenv("HUGGINGPLACE_TIMEOUT", "1500")
    client = client_class.from_env()
    config = client.config
    assert (config.api_key, config.org_id, config.mode) == (KEY, "org-env", "dev")
    assert config.base_url == "https://eu.huggingplace.test"
    assert config.timeout_ms == 1500
    await _close(client)


async def test_argument_beats_environment_beats_default(
    client_class: ClientClass, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HUGGINGPLACE_API_KEY", "hp-from-environment-1111")
    clean_env.setenv("HUGGINGPLACE_ORG_ID", "org-env")
    clean_env.setenv("HUGGINGPLACE_MODE", "dev")
    client = client_class(api_key=KEY, mode="prod")
    config = client.config
    assert config.api_key == KEY  # argument
    assert config.mode == "prod"  # argument over env
    assert config.org_id == "org-env"  # env
    assert config.timeout_ms == 10000  # default
    await _close(client)
    from_env = client_class.from_env(org_id="org-arg")
    assert from_env.config.org_id == "org-arg"
    assert from_env.config.api_key == "hp-from-environment-1111"
    await _close(from_env)


@pytest.mark.parametrize(
    ("arguments", "must_mention"),
    [
        ({"org_id": "org"}, ("api_key", "HUGGINGPLACE_API_KEY")),
        ({"api_key": KEY}, ("org_id", "HUGGINGPLACE_ORG_ID")),
    ],
)
def test_missing_key_or_org_names_argument_and_variable(
    client_class: ClientClass,
    clean_env: pytest.MonkeyPatch,
    arguments: dict[str, Any],
    must_mention: tuple[str, str],
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client_class(**arguments)
    for word in must_mention:
        assert word in str(caught.value)
    assert isinstance(caught.value, HuggingPlaceError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        ({"mode": "staging"}, "mode"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"timeout": "10"}, "timeout"),
        ({"base_url": "not a url"}, "base_url"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "http://"}, "base_url"),
        ({"base_url": "http://host:99999"}, "port"),
        ({"max_retries": -1}, "max_retries"),
        ({"retry_deadline": 0}, "retry_deadline"),
        ({"rate_limit": -5}, "rate_limit"),
        ({"burst": 3}, "rate_limit"),  # burst alone makes no sense
        ({"rate_limit": 5, "burst": 0}, "burst"),
        ({"log_format": "xml"}, "log_format"),
        ({"api_key": ""}, "api_key"),
        ({"org_id": 12}, "org_id"),
    ],
)
def test_bad_arguments_raise_at_construction(
    client_class: ClientClass, clean_env: pytest.MonkeyPatch, arguments: dict[str, Any], needle: str
) -> None:
    settings: dict[str, Any] = {"api_key": KEY, "org_id": "org"}
    settings.update(arguments)
    with pytest.raises(ConfigurationError, match=needle):
        client_class(**settings)


def test_unknown_dict_option_and_conflicts_raise(
    client_class: ClientClass, clean_env: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="unknown option 'apikey'"):
        client_class({"apikey": KEY, "org_id": "org"})
    with pytest.raises(ConfigurationError, match="api_key given twice"):
        client_class({"apiKey": KEY, "api_key": "hp-other-key-000000000000", "org_id": "org"})
    with pytest.raises(ConfigurationError, match="org_id given twice"):
        client_class({"api_key": KEY, "org_id": "org"}, org_id="other")
    with pytest.raises(ConfigurationError, match="options must be a dict"):
        client_class(["not", "a", "dict"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("variable", "value", "attribute", "default"),
    [
        ("HUGGINGPLACE_MODE", "staging", "mode", "prod"),
        ("HUGGINGPLACE_TIMEOUT", "ten seconds", "timeout_ms", 10000),
        ("HUGGINGPLACE_TIMEOUT", "-5", "timeout_ms", 10000),
        ("HUGGINGPLACE_BASE_URL", "localhost:8080", "base_url", DEFAULT_BASE_URL),
    ],
)
async def test_bad_environment_value_warns_and_falls_back(
    client_class: ClientClass,
    clean_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    variable: str,
    value: str,
    attribute: str,
    default: Any,
) -> None:
    clean_env.setenv(variable, value)
    with caplog.at_level(logging.WARNING, logger="huggingplace"):
        client = client_class(api_key=KEY, org_id="org")
    assert getattr(client.config, attribute) == default
    warnings = [r for r in caplog.records if r.name == "huggingplace" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert variable in warnings[0].getMessage()
    await _close(client)


async def test_blank_environment_values_count_as_unset(
    client_class: ClientClass, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HUGGINGPLACE_API_KEY", "   ")
    clean_env.setenv("HUGGINGPLACE_ORG_ID", "org")
    with pytest.raises(ConfigurationError, match="HUGGINGPLACE_API_KEY"):
        client_class()


async def test_timeout_reaches_the_http_request(
    client_class: ClientClass, clean_env: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    client = client_class(api_key=KEY, org_id="org", timeout=1500, transport=httpx.MockTransport(handler))
    result = client.log({"user_prompt": "q", "response": "a"})
    if isinstance(client, HuggingPlace):
        await result
    assert seen[0]["read"] == pytest.approx(1.5)
    assert seen[0]["connect"] == pytest.approx(1.5)
    await _close(client)
