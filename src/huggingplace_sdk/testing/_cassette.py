"""Recorded vendor traffic: where the cassettes live, how to read them, and how to decode their bodies.

Cassettes are vcrpy YAML files. Bodies recorded gzip-encoded are stored as ``!!binary`` (base64) and are
kept as those exact bytes, so a replay sends what the vendor sent.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CASSETTES_ENV = "HUGGINGPLACE_CASSETTES"


class CassettesNotFoundError(FileNotFoundError):
    """The recorded traffic is missing: tests that need it must fail, never skip."""


def _find_cassettes_dir() -> Path:
    configured = os.environ.get(CASSETTES_ENV)
    if configured:
        return Path(configured)
    # The repo is cloned with ``shared/`` beside it: walk up from this file, then from the cwd.
    starts = (Path(__file__).resolve(), Path.cwd().resolve())
    for start in starts:
        for parent in start.parents:
            candidate = parent / "shared" / "cassettes"
            if candidate.is_dir():
                return candidate
    # Not found: keep the conventional location so errors name the path that was expected.
    return Path(__file__).resolve().parents[4] / "shared" / "cassettes"


CASSETTES_DIR: Path = _find_cassettes_dir()


def cassette_path(vendor: str, name: str) -> Path:
    """The path of one cassette (``name`` with or without ``.yaml``); raises if it does not exist."""
    file_name = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
    path = CASSETTES_DIR / vendor / file_name
    if not path.is_file():
        raise CassettesNotFoundError(
            f"cassette {path} not found (set {CASSETTES_ENV} or place shared/cassettes beside the repo)"
        )
    return path


def cassette_paths(vendor: str, pattern: str = "*.yaml") -> list[Path]:
    """Every cassette of ``vendor`` matching ``pattern``, sorted; raises if there is none.

    Raising (instead of returning ``[]``) matters in ``pytest.mark.parametrize``: an empty parameter set
    would quietly skip, and missing data must not turn CI green.
    """
    vendor_dir = CASSETTES_DIR / vendor
    paths = sorted(vendor_dir.glob(pattern)) if vendor_dir.is_dir() else []
    if not paths:
        raise CassettesNotFoundError(
            f"no cassette matches {vendor_dir / pattern} (set {CASSETTES_ENV} or place shared/cassettes "
            "beside the repo)"
        )
    return paths


def _header_map(raw: Any) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            values = value if isinstance(value, list) else [value]
            headers[str(key)] = [str(v) for v in values]
    return headers


def _first_header(headers: Mapping[str, list[str]], name: str) -> str | None:
    lowered = name.lower()
    for key, values in headers.items():
        if key.lower() == lowered and values:
            return values[0]
    return None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    uri: str
    body: bytes
    headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """Query parameters, sorted, so matching ignores their order."""
        return tuple(sorted(parse_qsl(urlsplit(self.uri).query, keep_blank_values=True)))


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    status: int
    reason: str
    headers: dict[str, list[str]]
    body: bytes  # exactly as recorded: still gzip-encoded when ``encoded`` is true
    encoded: bool  # body bytes are content-encoded (the Content-Encoding header applies to them)

    def header(self, name: str) -> str | None:
        return _first_header(self.headers, name)


@dataclass(frozen=True, slots=True)
class Interaction:
    index: int  # position in the cassette
    request: RecordedRequest
    response: RecordedResponse


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def _is_encoded(body: bytes, was_binary: bool, content_encoding: str | None) -> bool:
    # vcrpy keeps encoded bodies as binary; a text body was stored decoded whatever the header says.
    if not content_encoding or not was_binary:
        return False
    encoding = content_encoding.strip().lower()
    if encoding == "gzip":
        return body[:2] == b"\x1f\x8b"
    return encoding in ("deflate", "br", "zstd")


def _read_interaction(index: int, raw: Mapping[str, Any]) -> Interaction:
    raw_request = raw.get("request") or {}
    raw_response = raw.get("response") or {}
    request_body = raw_request.get("body")
    if isinstance(request_body, Mapping):  # some vcrpy versions nest the body under "string"
        request_body = request_body.get("string")
    request = RecordedRequest(
        method=str(raw_request.get("method", "GET")).upper(),
        uri=str(raw_request.get("uri", "")),
        body=_as_bytes(request_body),
        headers=_header_map(raw_request.get("headers")),
    )
    raw_body = raw_response.get("body")
    body_value = raw_body.get("string") if isinstance(raw_body, Mapping) else raw_body
    body = _as_bytes(body_value)
    headers = _header_map(raw_response.get("headers"))
    status = raw_response.get("status") or {}
    response = RecordedResponse(
        status=int(status.get("code", 200)),
        reason=str(status.get("message", "")),
        headers=headers,
        body=body,
        encoded=_is_encoded(body, isinstance(body_value, bytes), _first_header(headers, "content-encoding")),
    )
    return Interaction(index=index, request=request, response=response)


def _yaml_loader() -> Any:
    import yaml  # dev dependency only: imported when a cassette is actually read

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CassetteLoader(base):  # type: ignore[misc, valid-type]
        """Safe loading plus the few Python tags older vcrpy versions wrote for text."""

    def construct_text(loader: Any, node: Any) -> str:
        return str(loader.construct_scalar(node))

    for tag in ("tag:yaml.org,2002:python/unicode", "tag:yaml.org,2002:python/str"):
        CassetteLoader.add_constructor(tag, construct_text)
    return CassetteLoader


def load_cassette(path: str | os.PathLike[str]) -> list[Interaction]:
    """Read a vcrpy cassette into its interactions, in recorded order."""
    import yaml

    cassette_file = Path(path)
    if not cassette_file.is_file():
        raise CassettesNotFoundError(f"cassette {cassette_file} not found")
    with cassette_file.open("rb") as handle:
        data = yaml.load(handle, Loader=_yaml_loader())
    interactions = (data or {}).get("interactions") or []
    return [_read_interaction(index, raw) for index, raw in enumerate(interactions)]


def decoded_body(interaction: Interaction) -> bytes:
    """The response body with its content encoding undone."""
    response = interaction.response
    if not response.encoded:
        return response.body
    encoding = (response.header("content-encoding") or "").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(response.body)
    if encoding == "deflate":
        try:
            return zlib.decompress(response.body)
        except zlib.error:
            return zlib.decompress(response.body, -zlib.MAX_WBITS)
    raise ValueError(f"cannot decode a {encoding!r} body of interaction {interaction.index}")


def recorded_json(interaction: Interaction) -> Any:
    """The decoded JSON response body of a recorded interaction."""
    return json.loads(decoded_body(interaction))


def recorded_request_json(interaction: Interaction) -> Any:
    """The JSON body the recorded client sent (``None`` when it sent none)."""
    body = interaction.request.body
    return json.loads(body) if body.strip() else None


def _sse_data_blocks(text: str) -> Iterable[str]:
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data_lines = [line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")]
        if data_lines:
            yield "\n".join(data_lines)


def recorded_sse_events(interaction: Interaction) -> list[Any]:
    """The ``data:`` payloads of a recorded server-sent-event stream, JSON-decoded.

    The ``[DONE]`` sentinel is left out; a payload that is not JSON is returned as its text.
    """
    events: list[Any] = []
    for data in _sse_data_blocks(decoded_body(interaction).decode("utf-8")):
        if data.strip() == "[DONE]":
            continue
        try:
            events.append(json.loads(data))
        except ValueError:
            events.append(data)
    return events
