"""Body rules for one received log. Same rules as the client's: a body our client would refuse is refused."""

from __future__ import annotations

from typing import Any

_NUMBER_FIELDS = ("token_count", "response_time", "input_tokens", "output_tokens", "total_tokens", "cost")
_TEXT_FIELDS = ("session_id", "user_id", "org_id", "message_id", "llm_model", "mode")
_OBJECT_FIELDS = ("metaData", "metadata", "user_meta_data", "user_metadata")


class BodyError(ValueError):
    """An invalid log body; ``field`` names the offending field (None for the body as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_log(body: Any) -> None:
    if not isinstance(body, dict):
        raise BodyError("a log must be a JSON object")
    if not isinstance(body.get("user_prompt"), str):
        raise BodyError("user_prompt is required and must be a string", "user_prompt")
    response, ai_response = body.get("response"), body.get("ai_response")
    if response is None and ai_response is None:
        raise BodyError("response (or ai_response) is required and must be a string", "response")
    for name, value in (("response", response), ("ai_response", ai_response)):
        if value is not None and not isinstance(value, str):
            raise BodyError(f"{name} must be a string", name)
    if response is not None and ai_response is not None and response != ai_response:
        raise BodyError("response and ai_response differ", "ai_response")
    for name in _NUMBER_FIELDS:
        value = body.get(name)
        if value is not None and (not _is_number(value) or value < 0):
            raise BodyError(f"{name} must be a non-negative number", name)
    for name in _TEXT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise BodyError(f"{name} must be a string", name)
    for name in _OBJECT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            raise BodyError(f"{name} must be an object", name)
    steps = body.get("step_data")
    if steps is not None and (
        not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps)
    ):
        raise BodyError("step_data must be a list of objects", "step_data")
