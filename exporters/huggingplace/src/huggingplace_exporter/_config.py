"""Exporter settings: argument > environment > default.

Connection settings (key, org, mode, base URL, timeout, retries, rate limit) are resolved by the client's
own ``resolve_config`` so both read the same variables the same way. The exporter's own settings follow the
same rule: a bad argument raises :class:`ConfigurationError`; a bad environment value logs a warning and
falls back to the default.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from huggingplace_sdk._config import ClientConfig, resolve_config
from huggingplace_sdk._errors import ConfigurationError

_logger = logging.getLogger("huggingplace.exporter")

ENV_PREFIX: Final = "HUGGINGPLACE_EXPORTER_"

# How the logs of a batch are posted.
BATCH_FORMAT_SINGLE: Final = "single"  # one log object per request: the published endpoint's contract
BATCH_FORMAT_ARRAY: Final = "array"  # one JSON array per batch: only for servers that accept arrays
BATCH_FORMAT_AUTO: Final = "auto"  # arrays once the server's capability document says so, else single
BATCH_FORMATS: Final = (BATCH_FORMAT_SINGLE, BATCH_FORMAT_ARRAY, BATCH_FORMAT_AUTO)


@dataclass(frozen=True)
class ExporterSettings:
    """The exporter's own tunables (everything except the connection). Times are in seconds."""

    batch_format: str = BATCH_FORMAT_SINGLE
    max_concurrent_requests: int = 4  # single-object mode: requests in flight at once (keep-alive pool)
    max_batch_size: int = 100  # interactions drained per batch (and per request in array mode)
    max_batch_bytes: int = 1_000_000  # uncompressed JSON bytes per batch (one log never exceeds it)
    max_queue_size: int = 2048  # interactions waiting to be sent
    late_child_wait: float = 2.0  # wait after a root ends for children that end after it
    partial_after: float = 60.0  # idle time after which spans whose root never ended go out as partial
    max_spans_per_trace: int = 1000
    max_open_traces: int = 10_000
    gzip: bool = False
    spool_dir: Path | None = None  # opt-in write-ahead disk spool
    spool_max_bytes: int = 64 * 1024 * 1024
    atexit_timeout: float = 5.0  # budget of the flush at interpreter exit; 0 disables it


# name -> (parser for env text, validator for a value)
_INT_FIELDS: Final = ("max_concurrent_requests", "max_batch_size", "max_batch_bytes", "max_queue_size",
                      "max_spans_per_trace", "max_open_traces", "spool_max_bytes")
_POSITIVE_FLOAT_FIELDS: Final = ("partial_after",)
_NON_NEGATIVE_FLOAT_FIELDS: Final = ("late_child_wait", "atexit_timeout")
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})


def env_name(field_name: str) -> str:
    return ENV_PREFIX + field_name.upper()


def resolve_settings(
    arguments: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> ExporterSettings:
    """Resolve exporter settings; ``arguments`` maps field names to values, None meaning "not given"."""
    env = os.environ if environ is None else environ
    defaults = ExporterSettings()
    values: dict[str, Any] = {}
    for name in _INT_FIELDS:
        values[name] = _resolve(name, arguments, env, getattr(defaults, name), _positive_int, int)
    for name in _POSITIVE_FLOAT_FIELDS:
        values[name] = _resolve(name, arguments, env, getattr(defaults, name), _positive_float, float)
    for name in _NON_NEGATIVE_FLOAT_FIELDS:
        values[name] = _resolve(name, arguments, env, getattr(defaults, name), _non_negative_float, float)
    values["gzip"] = _resolve("gzip", arguments, env, defaults.gzip, _bool, _parse_bool)
    values["spool_dir"] = _resolve("spool_dir", arguments, env, None, _path, str)
    values["batch_format"] = _resolve(
        "batch_format", arguments, env, defaults.batch_format, _batch_format, lambda raw: raw.lower()
    )
    return ExporterSettings(**values)


def resolve_connection(
    arguments: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> ClientConfig:
    """Key, org id, mode, base URL, timeout (ms), retries, rate limit: resolved exactly as by the client."""
    return resolve_config(arguments, environ)


def _resolve(
    name: str,
    arguments: Mapping[str, Any],
    env: Mapping[str, str],
    default: Any,
    check: Callable[[str, Any], Any],
    parse: Callable[[str], Any],
) -> Any:
    argument = arguments.get(name)
    if argument is not None:
        return check(name, argument)
    raw = env.get(env_name(name), "").strip()
    if not raw:
        return default
    try:
        return check(name, parse(raw))
    except (ConfigurationError, ValueError) as exc:
        _logger.warning("ignoring %s=%r: %s; using the default %r", env_name(name), raw, exc, default)
        return default


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}")
    return value


def _positive_float(name: str, value: Any) -> float:
    number = _number(name, value)
    if number <= 0:
        raise ConfigurationError(f"{name} must be a positive number of seconds, got {number!r}")
    return number


def _non_negative_float(name: str, value: Any) -> float:
    number = _number(name, value)
    if number < 0:
        raise ConfigurationError(f"{name} must be a non-negative number of seconds, got {number!r}")
    return number


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name} must be True or False, got {value!r}")
    return value


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"expected one of {sorted(_TRUE | _FALSE)}")


def _batch_format(name: str, value: Any) -> str:
    if value not in BATCH_FORMATS:
        raise ConfigurationError(f"{name} must be one of {BATCH_FORMATS}, got {value!r}")
    return str(value)


def _path(name: str, value: Any) -> Path:
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise ConfigurationError(f"{name} must be a directory path, got {value!r}")
    return Path(value)
