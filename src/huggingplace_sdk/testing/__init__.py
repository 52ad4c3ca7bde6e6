"""Test kit shared by every HuggingPlace distribution's tests.

Cassette replay: :class:`ReplayServer` serves recorded vendor traffic on loopback to the real client
libraries; :func:`load_cassette`, :func:`recorded_json` and :func:`recorded_sse_events` read the expected
values from the recordings. Needs the dev dependency ``pyyaml`` (imported only when a cassette is read).
"""

from __future__ import annotations

from huggingplace_sdk.testing._cassette import (
    CASSETTES_DIR,
    CASSETTES_ENV,
    CassettesNotFoundError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    cassette_path,
    cassette_paths,
    decoded_body,
    load_cassette,
    recorded_json,
    recorded_request_json,
    recorded_sse_events,
)
from huggingplace_sdk.testing._replay import UNMATCHED_STATUS, ReceivedRequest, ReplayServer

__all__ = [
    "CASSETTES_DIR",
    "CASSETTES_ENV",
    "UNMATCHED_STATUS",
    "CassettesNotFoundError",
    "Interaction",
    "ReceivedRequest",
    "RecordedRequest",
    "RecordedResponse",
    "ReplayServer",
    "cassette_path",
    "cassette_paths",
    "decoded_body",
    "load_cassette",
    "recorded_json",
    "recorded_request_json",
    "recorded_sse_events",
]
