"""Client configuration: argument > environment > default.

Bad arguments raise :class:`ConfigurationError` at construction. Bad environment values log a warning and
fall back to the default, so a typo in a deployment's environment never takes the application down.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from ._errors import ConfigurationError
from ._wire import MODES

# The published HuggingPlace endpoint, the default of the published SDK (Python and JS) and its README.
DEFAULT_BASE_URL: Final = "https://anvsj57nul.execute-api.ap-south-1.amazonaws.com"
DEFAULT_MODE: Final = "prod"
DEFAULT_TIMEOUT_MS: Final = 10_000.0
DEFAULT_MAX_RETRIES: Final = 4
DEFAULT_RETRY_DEADLINE_S: Final = 30.0
LOG_FORMATS: Final = ("text", "json")
DEFAULT_LOG_FORMAT: Final = "text"

ENV_API_KEY: Final = "HUGGINGPLACE_API_KEY"
ENV_ORG_ID: Final = "HUGGINGPLACE_ORG_ID"
ENV_MODE: Final = "HUGGINGPLACE_MODE"
ENV_BASE_URL: Final = "HUGGINGPLACE_BASE_URL"
ENV_TIMEOUT: Final = "HUGGINGPLACE_TIMEOUT"

# Keys accepted in the published SDK's single-dict form, camelCase included, mapped to our argument names.
OPTION_KEYS: Final[Mapping[str, str]] = {
    "api_key": "api_key",
    "apiKey": "api_key",
    "org_id": "org_id",
    "orgId": "org_id",
    "mode": "mode",
    "base_url": "base_url",
    "baseUrl": "base_url",
    "timeout": "timeout",
    "max_retries": "max_retries",
    "maxRetries": "max_retries",
    "retry_deadline": "retry_deadline",
    "retryDeadline": "retry_deadline",
    "rate_limit": "rate_limit",
    "rateLimit": "rate_limit",
    "burst": "burst",
    "log_format": "log_format",
    "logFormat": "log_format",
}

_logger = logging.getLogger("huggingplace")


def mask_secret(secret: str) -> str:
    """A form of an API key safe to show: ``hp-…abcd`` for long keys, ``***`` for short ones."""
    if len(secret) < 12:
        return "***"
    return f"{secret[:3]}…{secret[-4:]}"


@dataclass(frozen=True)
class ClientConfig:
    """Resolved client settings. ``repr`` masks the API key."""

    api_key: str = field(repr=False)
    org_id: str
    mode: str = DEFAULT_MODE
    base_url: str = DEFAULT_BASE_URL
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_deadline_s: float = DEFAULT_RETRY_DEADLINE_S
    rate_limit: float | None = None
    burst: int | None = None
    log_format: str = DEFAULT_LOG_FORMAT

    @property
    def masked_api_key(self) -> str:
        return mask_secret(self.api_key)

    @property
    def timeout_s(self) -> float:
        return self.timeout_ms / 1000.0

    def __repr__(self) -> str:
        return (
            f"ClientConfig(api_key={self.masked_api_key!r}, org_id={self.org_id!r}, mode={self.mode!r}, "
            f"base_url={self.base_url!r}, timeout_ms={self.timeout_ms!r}, max_retries={self.max_retries!r}, "
            f"retry_deadline_s={self.retry_deadline_s!r}, rate_limit={self.rate_limit!r}, "
            f"burst={self.burst!r}, log_format={self.log_format!r})"
        )


def merge_options(options: Mapping[str, Any] | None, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Merge the single-dict form with keyword arguments into argument names; None means "not given".

    A setting given twice (two spellings, or dict and keyword) with different values is refused.
    """
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def put(name: str, value: Any, source: str) -> None:
        if value is None:
            return
        if name in merged and merged[name] != value:
            raise ConfigurationError(
                f"{name} given twice with different values ({sources[name]} and {source})"
            )
        merged[name] = value
        sources[name] = source

    if options is not None:
        if not isinstance(options, Mapping):
            raise ConfigurationError(f"options must be a dict, got {type(options).__name__}")
        for key, value in options.items():
            if key not in OPTION_KEYS:
                known = ", ".join(sorted(OPTION_KEYS))
                raise ConfigurationError(f"unknown option {key!r}; known options: {known}")
            put(OPTION_KEYS[key], value, f"option {key!r}")
    for name, value in arguments.items():
        put(name, value, f"argument {name}=")
    return merged


def resolve_config(
    arguments: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> ClientConfig:
    """Resolve settings from arguments (argument names, None = not given), then environment, then defaults."""
    env = os.environ if environ is None else environ
    api_key = _resolve_required(arguments.get("api_key"), env, "api_key", ENV_API_KEY)
    org_id = _resolve_required(arguments.get("org_id"), env, "org_id", ENV_ORG_ID)
    mode = _resolve(arguments.get("mode"), env, ENV_MODE, DEFAULT_MODE, _check_mode)
    base_url = _resolve(arguments.get("base_url"), env, ENV_BASE_URL, DEFAULT_BASE_URL, _check_base_url)
    timeout_ms = _resolve(arguments.get("timeout"), env, ENV_TIMEOUT, DEFAULT_TIMEOUT_MS, _check_timeout)
    max_retries = _argument_or_default(arguments.get("max_retries"), DEFAULT_MAX_RETRIES, _check_max_retries)
    retry_deadline = _argument_or_default(
        arguments.get("retry_deadline"), DEFAULT_RETRY_DEADLINE_S, _check_positive_seconds("retry_deadline")
    )
    rate_limit = arguments.get("rate_limit")
    burst = arguments.get("burst")
    if rate_limit is not None:
        rate_limit = _check_positive_seconds("rate_limit")(rate_limit)
    if burst is not None:
        if rate_limit is None:
            raise ConfigurationError("burst= needs rate_limit= (requests per second)")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ConfigurationError(f"burst must be a positive integer, got {burst!r}")
    log_format = _argument_or_default(arguments.get("log_format"), DEFAULT_LOG_FORMAT, _check_log_format)
    return ClientConfig(
        api_key=api_key,
        org_id=org_id,
        mode=mode,
        base_url=base_url,
        timeout_ms=timeout_ms,
        max_retries=max_retries,
        retry_deadline_s=retry_deadline,
        rate_limit=rate_limit,
        burst=burst,
        log_format=log_format,
    )


def _resolve_required(argument: Any, env: Mapping[str, str], name: str, env_name: str) -> str:
    if argument is not None:
        if not isinstance(argument, str) or not argument.strip():
            raise ConfigurationError(f"{name} must be a non-empty string")
        return argument
    from_env = env.get(env_name, "").strip()
    if from_env:
        return from_env
    raise ConfigurationError(
        f"{name} is required: pass {name}=... or set the {env_name} environment variable"
    )


def _resolve(argument: Any, env: Mapping[str, str], env_name: str, default: Any, check: Any) -> Any:
    if argument is not None:
        return check(argument)
    raw = env.get(env_name, "").strip()
    if not raw:
        return default
    try:
        return check(raw, from_env=True)
    except ConfigurationError as exc:
        _logger.warning("ignoring %s: %s; using the default %r", env_name, exc, default)
        return default


def _argument_or_default(argument: Any, default: Any, check: Any) -> Any:
    return default if argument is None else check(argument)


def _check_mode(value: Any, from_env: bool = False) -> str:
    if value not in MODES:
        raise ConfigurationError(f"mode must be one of {', '.join(MODES)}, got {value!r}")
    return str(value)


def _check_base_url(value: Any, from_env: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"base_url must be a string, got {type(value).__name__}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(f"base_url must be an http(s) URL like {DEFAULT_BASE_URL!r}, got {value!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigurationError(f"base_url has an invalid port: {value!r}") from None
    return value.strip().rstrip("/")


def _check_timeout(value: Any, from_env: bool = False) -> float:
    if from_env:
        try:
            value = float(value)
        except ValueError:
            raise ConfigurationError(f"timeout must be a number of milliseconds, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"timeout must be a number of milliseconds, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"timeout must be a positive number of milliseconds, got {value!r}")
    return float(value)


def _check_max_retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be a non-negative integer, got {value!r}")
    return value


def _check_positive_seconds(name: str) -> Any:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigurationError(f"{name} must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value <= 0:
            raise ConfigurationError(f"{name} must be a positive number, got {value!r}")
        return float(value)

    return check


def _check_log_format(value: Any) -> str:
    if value not in LOG_FORMATS:
        raise ConfigurationError(f"log_format must be one of {', '.join(LOG_FORMATS)}, got {value!r}")
    return str(value)
