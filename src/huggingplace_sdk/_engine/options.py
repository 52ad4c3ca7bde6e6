"""Engine options shared by every adapter: argument > environment > default."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, NamedTuple

from .content import DEFAULT_MAX_CONTENT_BYTES, ContentPolicy, Redactor
from .cost import Pricer

_logger = logging.getLogger("huggingplace_sdk.engine")

ENV_CAPTURE_CONTENT = "HUGGINGPLACE_CAPTURE_CONTENT"
ENV_OTEL_CAPTURE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
ENV_MAX_CONTENT_BYTES = "HUGGINGPLACE_MAX_CONTENT_BYTES"
ENV_EMIT_LEGACY_SYSTEM = "HUGGINGPLACE_EMIT_GEN_AI_SYSTEM"

_TRUE = {"1", "true", "yes", "on", "span_only", "span_and_event", "event_only"}
_FALSE = {"0", "false", "no", "off", "no_content", ""}


def env_flag(name: str, default: bool) -> bool:
    """A boolean environment variable; an unrecognised value logs a warning and gives ``default``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    _logger.warning("ignoring %s=%r: expected true or false; using %s", name, raw, default)
    return default


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        _logger.warning("ignoring %s=%r: expected an integer >= %d; using %d", name, raw, minimum, default)
        return default
    return value


def _bool_arg(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value


class EngineOptions(NamedTuple):  # not a dataclass: that costs about 1 ms at import
    content: ContentPolicy
    emit_legacy_system: bool
    pricer: Pricer

    @classmethod
    def resolve(cls, kwargs: Mapping[str, Any]) -> EngineOptions:
        capture = kwargs.get("capture_content")
        if capture is None:
            capture = env_flag(ENV_CAPTURE_CONTENT, env_flag(ENV_OTEL_CAPTURE_CONTENT, False))
        capture = _bool_arg("capture_content", capture)
        max_bytes = kwargs.get("max_content_bytes")
        if max_bytes is None:
            max_bytes = env_int(ENV_MAX_CONTENT_BYTES, DEFAULT_MAX_CONTENT_BYTES, minimum=64)
        elif isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 64:
            raise ValueError(f"max_content_bytes must be an integer >= 64, not {max_bytes!r}")
        redact: Redactor | None = kwargs.get("redact")
        if redact is not None and not callable(redact):
            raise TypeError("redact must be a callable redact(kind, value) -> value")
        legacy = kwargs.get("emit_legacy_system")
        if legacy is None:
            legacy = env_flag(ENV_EMIT_LEGACY_SYSTEM, False)
        return cls(ContentPolicy(capture, redact, max_bytes), _bool_arg("emit_legacy_system", legacy),
                   Pricer(kwargs.get("prices")))
