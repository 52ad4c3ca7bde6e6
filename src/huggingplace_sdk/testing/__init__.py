"""Test kit shared by every HuggingPlace distribution's tests.

Cassette replay: :class:`ReplayServer` serves recorded vendor traffic on loopback to the real client
libraries; :func:`load_cassette`, :func:`recorded_json` and :func:`recorded_sse_events` read the expected
values from the recordings. :class:`SpanCapture` (fixture ``span_capture`` in
``huggingplace_sdk.testing.pytest_plugin``) records spans and metrics in memory; the stream contract checks
(:func:`check_sync_exit_path`, :func:`check_async_exit_path`) drive a recorded stream down every exit path.
Malformed responses (the mutation kit): :func:`mutations_of` derives malformed variants of a recorded
response (each kind in :data:`MUTATION_KINDS`); an adapter describes itself as a :class:`MutationSubject`,
:func:`mutation_cases` samples cases covering every kind and :func:`check_mutation` replays one through the
real client without and with instrumentation (same caller outcome, every span ended once, no internal
error, well-typed attributes and metrics). Adapter checks: :func:`check_adapter_distribution`,
:func:`check_instrument_idempotent_and_reversible`, :func:`check_missing_vendor_modules_skipped`, and
:func:`assert_no_secret_in_spans` (the credential scan).
Needs the dev dependency ``pyyaml`` (imported only when a cassette is read).
"""

from __future__ import annotations

from huggingplace_sdk.testing._adapter_contract import (
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)
from huggingplace_sdk.testing._capture import SpanCapture, capture_spans
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
from huggingplace_sdk.testing._leaks import assert_no_secret_in_spans
from huggingplace_sdk.testing._malformed import (
    DEFAULT_FOCUS,
    MUTATION_CASES_ENV,
    MutationCase,
    MutationReport,
    MutationSubject,
    all_mutation_cases,
    check_mutation,
    metric_problems,
    mutation_cases,
    span_attribute_problems,
)
from huggingplace_sdk.testing._mutations import (
    ABSURD_NUMBER,
    CUT_STREAM,
    INVALID_JSON,
    LONE_HIGH_SURROGATE,
    LONE_SURROGATE,
    MUTATION_KINDS,
    REMOVE_FIELD,
    WRONG_TYPE,
    Mutation,
    mutations_of,
)
from huggingplace_sdk.testing._replay import UNMATCHED_STATUS, ReceivedRequest, ReplayServer, StreamFault
from huggingplace_sdk.testing._stream_contract import (
    ASYNC_EXIT_PATHS,
    SYNC_EXIT_PATHS,
    ContractError,
    StreamCall,
    check_async_exit_path,
    check_sync_exit_path,
)

__all__ = [
    "ABSURD_NUMBER",
    "ASYNC_EXIT_PATHS",
    "CASSETTES_DIR",
    "CASSETTES_ENV",
    "CUT_STREAM",
    "DEFAULT_FOCUS",
    "INVALID_JSON",
    "LONE_HIGH_SURROGATE",
    "LONE_SURROGATE",
    "MUTATION_CASES_ENV",
    "MUTATION_KINDS",
    "REMOVE_FIELD",
    "SYNC_EXIT_PATHS",
    "UNMATCHED_STATUS",
    "WRONG_TYPE",
    "CassettesNotFoundError",
    "ContractError",
    "Interaction",
    "Mutation",
    "MutationCase",
    "MutationReport",
    "MutationSubject",
    "ReceivedRequest",
    "RecordedRequest",
    "RecordedResponse",
    "ReplayServer",
    "SpanCapture",
    "StreamCall",
    "StreamFault",
    "all_mutation_cases",
    "assert_no_secret_in_spans",
    "capture_spans",
    "cassette_path",
    "cassette_paths",
    "check_adapter_distribution",
    "check_async_exit_path",
    "check_instrument_idempotent_and_reversible",
    "check_missing_vendor_modules_skipped",
    "check_mutation",
    "check_sync_exit_path",
    "decoded_body",
    "load_cassette",
    "metric_problems",
    "mutation_cases",
    "mutations_of",
    "recorded_json",
    "recorded_request_json",
    "recorded_sse_events",
    "span_attribute_problems",
]
