"""Malformed variants of real recordings: what a misbehaving server, proxy or gateway could send.

:func:`mutations_of` derives, from one recorded response, every variant of each kind in
:data:`MUTATION_KINDS`: a field removed, a field of the wrong type, an absurd number (negative, beyond
int64), an invalid JSON body or stream event, a cut stream (clean end, mid-event, or connection aborted),
and a lone UTF-16 surrogate appended to a string (half an emoji). JSON bodies, server-sent-event streams,
NDJSON streams (each line an event) and AWS event streams (binary frames with a JSON payload, re-framed with
valid lengths and checksums; a chunk's base64 ``bytes`` are mutated as the JSON they carry) are mutated; other
bodies yield no variant.
Each :class:`Mutation` is a small, printable description applied to the recorded interaction on demand
(:meth:`Mutation.apply`).
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from huggingplace_sdk.testing._cassette import Interaction, decoded_body
from huggingplace_sdk.testing._replay import StreamFault, _inferred_content_type

REMOVE_FIELD = "remove_field"
WRONG_TYPE = "wrong_type"
ABSURD_NUMBER = "absurd_number"
INVALID_JSON = "invalid_json"
CUT_STREAM = "cut_stream"
LONE_SURROGATE = "lone_surrogate"
MUTATION_KINDS = (REMOVE_FIELD, WRONG_TYPE, ABSURD_NUMBER, INVALID_JSON, CUT_STREAM, LONE_SURROGATE)

LONE_HIGH_SURROGATE = "\ud83d"  # the first half of most emoji, as left by a split between two chunks
_ABSURD_NUMBERS = (-1, 2**64)
_GARBAGE = "<html><body>502 Bad Gateway</body></html>"
_NDJSON_TYPES = ("application/x-ndjson", "application/stream+json", "application/jsonl")
Path = tuple[str | int, ...]  # keys and list indexes from the JSON root


@dataclass(frozen=True, slots=True)
class Mutation:
    """One malformed variant of interaction ``interaction`` of a cassette.

    ``event`` is the index of the stream event (server-sent events) whose JSON is mutated, None for a
    whole JSON body. ``path`` locates the field; ``value`` replaces it (``remove`` drops it instead).
    A cut stream keeps ``keep_events`` events (plus ``partial_bytes`` bytes of the next one), or, with
    ``abort``, cuts the connection after them.
    """

    kind: str
    interaction: int
    event: int | None = None
    path: Path = ()
    value: Any = None
    remove: bool = False
    keep_events: int | None = None
    partial_bytes: int = 0
    abort: bool = False
    invalid_text: str | None = None  # replaces the JSON text of the body / event

    @property
    def label(self) -> str:
        """A short readable id (for pytest ids and failure messages)."""
        where = f"i{self.interaction}" + ("" if self.event is None else f"e{self.event}")
        field = ".".join(str(part) for part in self.path)
        detail = {
            REMOVE_FIELD: field,
            WRONG_TYPE: f"{field}={type(self.value).__name__}",
            ABSURD_NUMBER: f"{field}={self.value}",
            LONE_SURROGATE: field,
            INVALID_JSON: "garbage" if self.invalid_text == _GARBAGE else "truncated",
        }.get(self.kind)
        if self.kind == CUT_STREAM:
            detail = f"keep{self.keep_events}" + ("+abort" if self.abort else f"+{self.partial_bytes}b")
        return f"{self.kind}-{where}-{detail}"

    @property
    def stream_fault(self) -> StreamFault | None:
        """The fault the replay server applies (an aborted connection), if any."""
        if self.kind == CUT_STREAM and self.abort and self.keep_events is not None:
            return StreamFault("abort", after_pieces=self.keep_events)
        return None

    def apply(self, interaction: Interaction) -> Interaction:
        """The recorded interaction with this mutation applied to its response body (sent decoded)."""
        body = decoded_body(interaction)
        if _is_aws_event_stream(interaction):
            new_body = self._apply_to_frames(body)
        elif _is_ndjson_stream(interaction):
            new_body = self._apply_to_lines(body.decode("utf-8"))
        elif self.event is None and self.kind != CUT_STREAM:
            if self.invalid_text is not None:
                new_body = self.invalid_text.encode()
            else:
                new_body = _dump(_mutated(json.loads(body), self)).encode()
        else:
            new_body = self._apply_to_stream(body.decode("utf-8"))
        response = replace(interaction.response, body=new_body, encoded=False)
        return replace(interaction, response=response)

    def _apply_to_stream(self, text: str) -> bytes:
        blocks = _sse_blocks(text)
        if self.kind == CUT_STREAM:
            if self.abort:
                return text.encode()  # the replay server cuts it (stream_fault)
            keep = self.keep_events or 0
            kept = "".join(blocks[:keep])
            if keep < len(blocks) and self.partial_bytes:
                kept += blocks[keep][: self.partial_bytes]
            return kept.encode()
        assert self.event is not None
        block = blocks[self.event]
        data = _data_of(block)
        assert data is not None
        new_data = self.invalid_text if self.invalid_text is not None else _dump(_mutated(json.loads(data), self))
        blocks[self.event] = block.replace(data, new_data, 1)
        return "".join(blocks).encode()

    def _apply_to_lines(self, text: str) -> bytes:
        lines = text.splitlines(keepends=True)
        if self.kind == CUT_STREAM:
            if self.abort:
                return text.encode()  # the replay server cuts it (stream_fault)
            keep = self.keep_events or 0
            kept = "".join(lines[:keep])
            if keep < len(lines) and self.partial_bytes:
                kept += lines[keep][: self.partial_bytes]
            return kept.encode()
        assert self.event is not None
        line = lines[self.event]
        data = line.strip()
        new_data = self.invalid_text if self.invalid_text is not None else _dump(_mutated(json.loads(data), self))
        lines[self.event] = line.replace(data, new_data, 1)
        return "".join(lines).encode()

    def _apply_to_frames(self, body: bytes) -> bytes:
        frames = _aws_frames(body)
        if self.kind == CUT_STREAM:
            if self.abort:
                return body  # the replay server cuts it (stream_fault)
            keep = self.keep_events or 0
            kept = b"".join(frame.raw for frame in frames[:keep])
            if keep < len(frames) and self.partial_bytes:
                kept += frames[keep].raw[: self.partial_bytes]
            return kept
        assert self.event is not None
        frame = frames[self.event]
        document = frame.document()
        assert document is not None
        new_text = self.invalid_text if self.invalid_text is not None else _dump(_mutated(document, self))
        frames[self.event] = frame.with_document_text(new_text)
        return b"".join(f.raw for f in frames)


@dataclass(frozen=True, slots=True)
class _AwsFrame:
    """One frame of an AWS event stream: its header bytes kept as they are, its JSON payload."""

    headers: bytes
    payload: bytes

    @property
    def raw(self) -> bytes:
        prelude = struct.pack(">II", 16 + len(self.headers) + len(self.payload), len(self.headers))
        prelude += struct.pack(">I", binascii.crc32(prelude))
        message = prelude + self.headers + self.payload
        return message + struct.pack(">I", binascii.crc32(message))

    def _wrapped(self) -> tuple[dict[str, Any], Any] | None:
        """(payload, the JSON inside its base64 ``bytes``) for an invoke-stream chunk, else None."""
        try:
            outer = json.loads(self.payload)
            inner = json.loads(base64.b64decode(outer["bytes"], validate=True))
        except (ValueError, TypeError, KeyError, binascii.Error):
            return None
        return (outer, inner) if isinstance(outer, dict) else None

    def document(self) -> Any:
        """The JSON the caller reads from this frame (a chunk's decoded bytes), None when it is not JSON."""
        wrapped = self._wrapped()
        if wrapped is not None:
            return wrapped[1]
        try:
            return json.loads(self.payload)
        except ValueError:
            return None

    def with_document_text(self, text: str) -> _AwsFrame:
        wrapped = self._wrapped()
        if wrapped is None:
            return _AwsFrame(self.headers, text.encode())
        outer = {**wrapped[0], "bytes": base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()}
        return _AwsFrame(self.headers, json.dumps(outer).encode())


def _aws_frames(body: bytes) -> list[_AwsFrame]:
    """The frames of an AWS event-stream body (lengths from each prelude; checksums recomputed on output)."""
    frames: list[_AwsFrame] = []
    start = 0
    while start + 12 <= len(body):
        total, headers_length = struct.unpack(">II", body[start : start + 8])
        headers_end = start + 12 + headers_length
        frames.append(_AwsFrame(body[start + 12 : headers_end], body[headers_end : start + total - 4]))
        start += total
    return frames


def _is_aws_event_stream(interaction: Interaction) -> bool:
    content_type = interaction.response.header("content-type") or ""
    return content_type.split(";")[0].strip().lower() == "application/vnd.amazon.eventstream"


def _is_ndjson_stream(interaction: Interaction) -> bool:
    content_type = interaction.response.header("content-type") or ""
    return content_type.split(";")[0].strip().lower() in _NDJSON_TYPES


def _dump(value: Any) -> str:
    # ASCII escapes keep a lone surrogate as ``\\ud83d`` in the JSON text, as a server would send it.
    return json.dumps(value, ensure_ascii=True)


def _mutated(document: Any, mutation: Mutation) -> Any:
    """A copy of ``document`` with the field at ``mutation.path`` replaced or removed."""
    if not mutation.path:
        return mutation.value
    copy = json.loads(json.dumps(document))
    parent = copy
    for part in mutation.path[:-1]:
        parent = parent[part]
    last = mutation.path[-1]
    if mutation.remove:
        del parent[last]
    else:
        parent[last] = mutation.value
    return copy


def _sse_blocks(text: str) -> list[str]:
    """The events of a server-sent-event body, each with its trailing blank line (joined back exactly)."""
    separator = "\r\n\r\n" if "\r\n\r\n" in text else "\n\n"
    blocks: list[str] = []
    start = 0
    while start < len(text):
        end = text.find(separator, start)
        end = len(text) if end < 0 else end + len(separator)
        blocks.append(text[start:end])
        start = end
    return blocks


def _data_of(block: str) -> str | None:
    """The JSON text of a block's single ``data:`` line, None when it has none or it is not JSON."""
    lines = [line for line in block.splitlines() if line.startswith("data:")]
    if len(lines) != 1:
        return None
    data = lines[0][5:].strip()
    try:
        json.loads(data)
    except ValueError:
        return None
    return data


def _wrong_types(value: Any) -> tuple[Any, ...]:
    """Values of other JSON types than ``value``'s."""
    if isinstance(value, bool):
        return ("true",)
    if isinstance(value, (int, float)):
        return (str(value), [value])
    if isinstance(value, str):
        return (12345, {"text": value})
    if isinstance(value, list):
        return ({"0": value[0]} if value else {}, "not-a-list", 1)
    if isinstance(value, dict):
        return (["not-an-object"], "not-an-object", 1)
    return ("null-was-here", 0)  # None


def _field_mutations(document: Any, interaction: int, event: int | None) -> Iterator[Mutation]:
    def walk(value: Any, path: Path) -> Iterator[Mutation]:
        if path:
            if isinstance(path[-1], str):
                yield Mutation(REMOVE_FIELD, interaction, event, path, remove=True)
            for other in _wrong_types(value):
                yield Mutation(WRONG_TYPE, interaction, event, path, other)
            if isinstance(value, int) and not isinstance(value, bool):
                for number in _ABSURD_NUMBERS:
                    yield Mutation(ABSURD_NUMBER, interaction, event, path, number)
            if isinstance(value, str):
                yield Mutation(LONE_SURROGATE, interaction, event, path, value + LONE_HIGH_SURROGATE)
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*path, index))

    yield from walk(document, ())


def _is_event_stream(interaction: Interaction) -> bool:
    response = interaction.response
    # A header-less recording is told by its body, as the replay server tells it (and serves it streamed).
    content_type = response.header("content-type") or _inferred_content_type(response.body, response.encoded)
    return content_type.split(";")[0].strip().lower() == "text/event-stream"


def _cuts(index: int, pieces: list[int]) -> list[Mutation]:
    """Cut streams of ``len(pieces)`` events (each ``pieces[i]`` long): after none, one, half, all but one."""
    found: list[Mutation] = []
    for keep in sorted({0, 1, len(pieces) // 2, len(pieces) - 1}):
        if 0 <= keep < len(pieces):
            found.append(Mutation(CUT_STREAM, index, keep_events=keep, partial_bytes=pieces[keep] // 2))
            found.append(Mutation(CUT_STREAM, index, keep_events=keep, abort=True))
    return found


def _frame_mutations(interaction: Interaction) -> list[Mutation]:
    frames = _aws_frames(decoded_body(interaction))
    found: list[Mutation] = []
    for event, frame in enumerate(frames):
        document = frame.document()
        if document is None:
            continue
        found += _field_mutations(document, interaction.index, event)
        text = _dump(document)
        found.append(Mutation(INVALID_JSON, interaction.index, event, invalid_text=text[: len(text) // 2]))
    return found + _cuts(interaction.index, [len(frame.raw) for frame in frames])


def _line_mutations(index: int, text: str) -> list[Mutation]:
    lines = text.splitlines(keepends=True)
    found: list[Mutation] = []
    for event, line in enumerate(lines):
        data = line.strip()
        try:
            document = json.loads(data)
        except ValueError:
            continue
        found += _field_mutations(document, index, event)
        found.append(Mutation(INVALID_JSON, index, event, invalid_text=data[: len(data) // 2]))
    return found + _cuts(index, [len(line) for line in lines])


def mutations_of(interaction: Interaction) -> list[Mutation]:
    """Every malformed variant of one recorded response (JSON body, server-sent events, NDJSON, AWS event
    stream)."""
    if _is_aws_event_stream(interaction):
        return _frame_mutations(interaction)
    try:
        text = decoded_body(interaction).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return []
    index = interaction.index
    if _is_ndjson_stream(interaction):
        return _line_mutations(index, text)
    if _is_event_stream(interaction):
        blocks = _sse_blocks(text)
        found: list[Mutation] = []
        for event, block in enumerate(blocks):
            data = _data_of(block)
            if data is None:
                continue
            found += _field_mutations(json.loads(data), index, event)
            found.append(Mutation(INVALID_JSON, index, event, invalid_text=data[: len(data) // 2]))
        return found + _cuts(index, [len(block) for block in blocks])
    try:
        document = json.loads(text)
    except ValueError:
        return []
    return [
        *_field_mutations(document, index, None),
        Mutation(INVALID_JSON, index, invalid_text=text[: len(text) // 2]),
        Mutation(INVALID_JSON, index, invalid_text=_GARBAGE),
    ]

