"""A Recorder that keeps what a codec reports, to test codecs without spans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FakeRecorder:
    def __init__(self, capture_content: bool = True) -> None:
        self.capture_content = capture_content
        self.response: dict[str, Any] = {}
        self.finish: dict[int, str] = {}
        self.usage: dict[str, Any] = {}
        self.text: dict[tuple[int, str], str] = {}
        self.roles: dict[int, str] = {}
        self.tool_calls: dict[tuple[int, int], dict[str, Any]] = {}
        self.attributes: dict[str, Any] = {}
        self.events: list[str] = []

    def set_response(self, *, id: str | None = None, model: str | None = None) -> None:
        self.response.update({k: v for k, v in (("id", id), ("model", model)) if v})

    def set_finish_reason(self, index: int, reason: str | None) -> None:
        if reason:
            self.finish[index] = reason

    def set_usage(self, **usage: Any) -> None:
        self.usage.update({k: v for k, v in usage.items() if v is not None})

    def add_text(self, index: int, text: str, *, kind: str = "text") -> None:
        self.text[(index, kind)] = self.text.get((index, kind), "") + text

    def add_tool_call(
        self,
        index: int,
        call_index: int,
        *,
        id: str | None = None,
        name: str | None = None,
        arguments: str | None = None,
    ) -> None:
        call = self.tool_calls.setdefault((index, call_index), {"id": None, "name": None, "arguments": ""})
        call["id"] = id or call["id"]
        call["name"] = name or call["name"]
        call["arguments"] += arguments or ""

    def set_role(self, index: int, role: str) -> None:
        self.roles[index] = role

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value

    def add_event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        self.events.append(name)
