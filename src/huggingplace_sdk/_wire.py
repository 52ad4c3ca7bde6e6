"""Log and step bodies exactly as sent on the wire, and the validation rules for them.

Pure functions with no I/O: the client builds bodies with them, the local server validates incoming bodies
with :func:`validate_wire_body`, and the exporter reuses :func:`build_encoded_log` and :func:`encode_json`.

Wire format (published SDK v1.0.1): ``POST {base_url}/v2/chatgpt/store_generated_response``, one log
object per request, with the caller's fields plus ``ai_response`` (a copy of ``response``; a caller who
spelled it ``ai_response`` only sends ``ai_response`` only), ``metadata`` sent as ``metaData``,
``user_metadata`` sent as ``user_meta_data``, and the client's ``org_id`` and ``mode``. We add a
``message_id`` (uuid4 hex) when the caller gave none, so the server can de-duplicate retries.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from ._errors import ValidationError

LOG_PATH: Final = "/v2/chatgpt/store_generated_response"
# Our own servers' capability document (the published endpoint has none: a 404 there means "single only").
CAPABILITIES_PATH: Final = "/v1/capabilities"
CAPABILITY_ARRAY_BATCHES: Final = "array_batches"  # true: LOG_PATH also takes a JSON array of logs
MODES: Final = ("prod", "dev")

# The published SDK's own spellings, accepted from callers, mapped to our canonical names.
CALLER_ALIASES: Final[Mapping[str, str]] = {
    "ai_response": "response",
    "metaData": "metadata",
    "user_meta_data": "user_metadata",
}
# Canonical names renamed on the wire.
WIRE_NAMES: Final[Mapping[str, str]] = {"metadata": "metaData", "user_metadata": "user_meta_data"}

REQUIRED_STRING_FIELDS: Final = ("user_prompt", "response")
OPTIONAL_STRING_FIELDS: Final = ("session_id", "user_id", "llm_model", "message_id")
NUMBER_FIELDS: Final = ("token_count", "response_time", "input_tokens", "output_tokens", "total_tokens", "cost")
OBJECT_FIELDS: Final = ("metadata", "user_metadata")
LIST_OF_OBJECTS_FIELDS: Final = ("step_data",)
# Known optional fields for which None means "not given" (dropped rather than sent as null).
_NONE_MEANS_ABSENT: Final = frozenset(
    OPTIONAL_STRING_FIELDS + NUMBER_FIELDS + OBJECT_FIELDS + LIST_OF_OBJECTS_FIELDS
)

STEP_REQUIRED_STRING_FIELDS: Final = ("user_question", "prompt_response")
STEP_OPTIONAL_STRING_FIELDS: Final = ("llm_model",)
STEP_NUMBER_FIELDS: Final = ("token", "response_time")


def new_message_id() -> str:
    """A fresh client-side message id (uuid4 hex)."""
    return uuid.uuid4().hex


def normalize_log_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the caller's fields under canonical names, validated; raise ValidationError naming the field.

    Both spellings of a field (``response``/``ai_response`` ...) are accepted; if both are given they must
    be equal. Known optional fields given as None are dropped.
    """
    if not isinstance(options, Mapping):
        raise ValidationError(f"log options must be a mapping, got {type(options).__name__}", field=None)
    fields: dict[str, Any] = {}
    spelled_as: dict[str, str] = {}
    for key, value in options.items():
        if not isinstance(key, str):
            raise ValidationError(f"field names must be strings, got {key!r}", field=None)
        canonical = CALLER_ALIASES.get(key, key)
        if canonical in fields and fields[canonical] != value:
            raise ValidationError(
                f"{spelled_as[canonical]!r} and {key!r} are two spellings of {canonical!r} with different "
                "values; give one",
                field=canonical,
            )
        fields[canonical] = value
        spelled_as[canonical] = key
    fields = {k: v for k, v in fields.items() if not (v is None and k in _NONE_MEANS_ABSENT)}
    validate_log_fields(fields)
    for name in OBJECT_FIELDS:
        if name in fields:
            fields[name] = dict(fields[name])
    return fields


def validate_log_fields(fields: Mapping[str, Any]) -> None:
    """Check canonical log fields; raise ValidationError naming the first offending field."""
    for name in REQUIRED_STRING_FIELDS:
        if name not in fields or fields[name] is None:
            raise ValidationError(f"{name!r} is required", field=name)
        _check_string(fields, name)
    for name in OPTIONAL_STRING_FIELDS:
        _check_string(fields, name)
    for name in NUMBER_FIELDS:
        _check_number(fields, name)
    for name in OBJECT_FIELDS:
        _check_object(fields, name)
    for name in LIST_OF_OBJECTS_FIELDS:
        _check_list_of_objects(fields, name)


def checked_object(name: str, value: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of an optional object argument (None gives {}); ValidationError naming ``name`` if not one."""
    if value is None:
        return {}
    _check_object({name: value}, name)
    return dict(value)


def validate_step(step: Mapping[str, Any]) -> None:
    """Check a step given to ``log_step``; raise ValidationError naming the first offending field."""
    if not isinstance(step, Mapping):
        raise ValidationError(f"a step must be a mapping, got {type(step).__name__}", field=None)
    for name in STEP_REQUIRED_STRING_FIELDS:
        if name not in step or step[name] is None:
            raise ValidationError(f"step field {name!r} is required", field=name)
        _check_string(step, name)
    for name in STEP_OPTIONAL_STRING_FIELDS:
        if step.get(name) is not None:
            _check_string(step, name)
    for name in STEP_NUMBER_FIELDS:
        if step.get(name) is not None:
            _check_number(step, name)


def step_to_log_options(step: Mapping[str, Any]) -> dict[str, Any]:
    """The log options ``log_step(step)`` sends: the step's text and figures plus ``step_data=[step]``."""
    validate_step(step)
    options: dict[str, Any] = {
        "user_prompt": step["user_question"],
        "response": step["prompt_response"],
    }
    if step.get("llm_model") is not None:
        options["llm_model"] = step["llm_model"]
    if step.get("token") is not None:
        options["token_count"] = step["token"]
    if step.get("response_time") is not None:
        options["response_time"] = step["response_time"]
    options["step_data"] = [dict(step)]
    return options


def keep_response_spelling(given: Mapping[str, Any], canonical: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical options spelled back as the caller gave the response: ``ai_response`` only stays so."""
    spelled = dict(canonical)
    if "response" not in given and "response" in spelled:
        spelled["ai_response"] = spelled.pop("response")
    return spelled


def apply_session_defaults(
    options: Mapping[str, Any],
    *,
    session_id: str,
    metadata: Mapping[str, Any],
    user_metadata: Mapping[str, Any],
) -> dict[str, Any]:
    """Stamp a session onto canonical log options; per-call metadata keys win over the session's.

    A per-call ``session_id`` different from the session's is refused rather than silently moved.
    """
    given_id = options.get("session_id")
    if given_id is not None and given_id != session_id:
        raise ValidationError(
            f"session_id {given_id!r} differs from this session's id {session_id!r}", field="session_id"
        )
    stamped = dict(options)
    stamped["session_id"] = session_id
    if metadata or "metadata" in options:
        stamped["metadata"] = {**metadata, **options.get("metadata", {})}
    if user_metadata or "user_metadata" in options:
        stamped["user_metadata"] = {**user_metadata, **options.get("user_metadata", {})}
    return stamped


def build_log_body(
    options: Mapping[str, Any],
    *,
    org_id: str,
    mode: str,
    message_id_factory: Callable[[], str] = new_message_id,
) -> dict[str, Any]:
    """The JSON object sent for one log. Validates first; raises ValidationError and builds nothing if bad.

    The client's ``org_id`` and ``mode`` win over same-named caller fields, as in the published SDK.
    """
    body = _log_body(options, org_id=org_id, mode=mode, message_id_factory=message_id_factory)
    encode_json(body)  # refuses values JSON cannot carry now, before anything is sent
    return body


def build_encoded_log(options: Mapping[str, Any], *, org_id: str, mode: str) -> tuple[str, bytes]:
    """The message id and the exact bytes of one log (``build_log_body`` + ``encode_json``, encoded once)."""
    body = _log_body(options, org_id=org_id, mode=mode, message_id_factory=new_message_id)
    return body["message_id"], encode_json(body)


def _log_body(
    options: Mapping[str, Any], *, org_id: str, mode: str, message_id_factory: Callable[[], str]
) -> dict[str, Any]:
    fields = normalize_log_options(options)
    body: dict[str, Any] = {}
    for name, value in fields.items():
        body[WIRE_NAMES.get(name, name)] = value
    body["ai_response"] = fields["response"]
    if "response" not in options:
        del body["response"]  # the caller wrote ai_response only; so does the published SDK
    body["org_id"] = org_id
    body["mode"] = mode
    if "message_id" not in body:
        body["message_id"] = message_id_factory()
    return body


def validate_wire_body(body: Any) -> None:
    """Check a body as received on the wire (the server's rules); raise ValidationError naming the field."""
    if not isinstance(body, Mapping):
        raise ValidationError("the body must be a JSON object", field=None)
    fields = normalize_log_options(body)
    if fields.get("org_id") is None:
        raise ValidationError("'org_id' is required", field="org_id")
    _check_string(fields, "org_id")
    mode = fields.get("mode")
    if mode is not None and mode not in MODES:
        raise ValidationError(f"'mode' must be one of {MODES}, got {mode!r}", field="mode")


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON of a body (object or list); a ValidationError names a bad top-level field."""
    try:
        return json.dumps(body, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError) as exc:
        field = _first_unencodable_field(body)
        where = f"field {field!r}" if field is not None else "the body"
        raise ValidationError(f"{where} cannot be sent as JSON: {exc}", field=field) from None


def _first_unencodable_field(body: Any) -> str | None:
    if isinstance(body, Mapping):
        for key, value in body.items():
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                return str(key)
    return None


def _check_string(fields: Mapping[str, Any], name: str) -> None:
    if name in fields and not isinstance(fields[name], str):
        raise ValidationError(
            f"{name!r} must be a string, got {type(fields[name]).__name__}", field=name
        )


def _check_number(fields: Mapping[str, Any], name: str) -> None:
    if name not in fields:
        return
    value = fields[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{name!r} must be a number, got {type(value).__name__}", field=name)
    if not math.isfinite(value) or value < 0:
        raise ValidationError(f"{name!r} must be a finite non-negative number, got {value!r}", field=name)


def _check_object(fields: Mapping[str, Any], name: str) -> None:
    if name not in fields:
        return
    value = fields[name]
    if not isinstance(value, Mapping):
        raise ValidationError(f"{name!r} must be an object, got {type(value).__name__}", field=name)
    if not all(isinstance(key, str) for key in value):
        raise ValidationError(f"{name!r} keys must be strings", field=name)


def _check_list_of_objects(fields: Mapping[str, Any], name: str) -> None:
    if name not in fields:
        return
    value = fields[name]
    if not isinstance(value, list):
        raise ValidationError(f"{name!r} must be a list, got {type(value).__name__}", field=name)
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ValidationError(
                f"{name!r}[{index}] must be an object, got {type(item).__name__}", field=name
            )
