"""The client's public names, and that the async and sync clients keep the same shape."""

from __future__ import annotations

import builtins
import inspect

import huggingplace_sdk
from huggingplace_sdk import _client, _errors

CLIENT_NAMES = {
    "AuthenticationError",
    "ConfigurationError",
    "HuggingPlace",
    "HuggingPlaceError",
    "LogSession",
    "NetworkError",
    "RateLimitError",
    "ServerError",
    "SyncHuggingPlace",
    "SyncLogSession",
    "TimeoutError",
    "ValidationError",
}
PUBLIC_METHODS = {"log", "log_step", "start_session", "get_metrics", "from_env", "config"}


def test_client_names_are_exported() -> None:
    assert set(huggingplace_sdk.__all__) >= CLIENT_NAMES
    assert huggingplace_sdk.__all__ == sorted(huggingplace_sdk.__all__)
    for name in CLIENT_NAMES:
        assert getattr(huggingplace_sdk, name).__module__.startswith("huggingplace_sdk._")


def test_error_hierarchy() -> None:
    base = huggingplace_sdk.HuggingPlaceError
    for name in CLIENT_NAMES:
        if name.endswith("Error"):
            assert issubclass(getattr(huggingplace_sdk, name), base)
    assert issubclass(huggingplace_sdk.TimeoutError, builtins.TimeoutError)
    assert issubclass(huggingplace_sdk.ConfigurationError, ValueError)
    assert _errors.HuggingPlaceTimeoutError is huggingplace_sdk.TimeoutError


def test_async_and_sync_clients_have_the_same_shape() -> None:
    async_client, sync_client = huggingplace_sdk.HuggingPlace, huggingplace_sdk.SyncHuggingPlace
    assert set(dir(async_client)) >= PUBLIC_METHODS and set(dir(sync_client)) >= PUBLIC_METHODS
    async_params = list(inspect.signature(async_client.__init__).parameters)
    sync_params = list(inspect.signature(sync_client.__init__).parameters)
    assert async_params == sync_params
    for name in ("log", "log_step"):
        assert inspect.iscoroutinefunction(getattr(async_client, name))
        assert not inspect.iscoroutinefunction(getattr(sync_client, name))
        assert inspect.iscoroutinefunction(getattr(_client.LogSession, name))
        assert not inspect.iscoroutinefunction(getattr(_client.SyncLogSession, name))
    assert hasattr(async_client, "aclose") and hasattr(async_client, "__aenter__")
    assert hasattr(sync_client, "close") and hasattr(sync_client, "__enter__")


def test_constructor_test_hooks_are_keyword_only() -> None:
    parameters = inspect.signature(huggingplace_sdk.HuggingPlace.__init__).parameters
    assert parameters["options"].kind is inspect.Parameter.POSITIONAL_ONLY
    for name in ("api_key", "org_id", "transport", "clock", "sleep", "random_source"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
