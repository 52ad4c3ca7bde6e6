"""``huggingplace demo``: the main job end to end, offline.

A local HuggingPlace server, an OpenAI-compatible stub replaying recorded OpenAI traffic (the cassettes in
``shared/cassettes/openai``), and a small instrumented app: ``instrument()``, a ``session()``, nested
``trace_step()``s, a plain and a streamed chat completion through the real ``openai`` client, a tool step.
Spans go both through the HuggingPlace exporter (one interaction log per trace) and over OTLP/HTTP to the
same server. The demo passes only when every span and every interaction arrived.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

from ._server import DEFAULT_DEV_API_KEY, LocalServer
from ._traceview import tree_lines

DEMO_ORG_ID = "demo-org"
DEMO_SESSION = "demo-session-1"
DEMO_USER = "demo-user"
PLAIN_CASSETTE = "test_chat__test_chat"
STREAM_CASSETTE = (
    "test_finish_reasons__TestChatCompletionsFinishReasons.test_chat_streaming_sets_top_level_finish_reasons"
)
_OTLP_HEADERS_ENV = "OTEL_EXPORTER_OTLP_HEADERS"
_FLUSH_TIMEOUT_S = 15.0


class DemoUnavailable(Exception):
    """Something the demo needs is not installed or not found (dev dependencies, cassettes)."""


class _Recorder(SpanExporter):
    """Keeps the ids of every span the app produced: what must arrive at the server."""

    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS


@dataclass
class DemoResult:
    traces: dict[str, set[str]] = field(default_factory=dict)  # trace id -> span ids produced
    missing_spans: list[str] = field(default_factory=list)
    missing_logs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.traces) and not self.missing_spans and not self.missing_logs

    @property
    def span_count(self) -> int:
        return sum(len(ids) for ids in self.traces.values())


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _vendor_stubs(stack: ExitStack) -> tuple[Any, Any]:
    """OpenAI clients pointed at replayed recordings: one for plain answers, one for a streamed one."""
    try:
        import openai

        from .testing import ReplayServer, cassette_path
    except ImportError as exc:
        raise DemoUnavailable(
            f"the demo needs the development dependencies (openai, pyyaml): {exc}. Run it from a checkout "
            "with `uv run huggingplace demo`."
        ) from None
    try:
        # Each recorded answer is served once, in recorded order: the plain one holds two, the streamed one.
        plain = stack.enter_context(ReplayServer(cassette_path("openai", PLAIN_CASSETTE)))
        streamed = stack.enter_context(ReplayServer(cassette_path("openai", STREAM_CASSETTE)))
    except FileNotFoundError as exc:
        raise DemoUnavailable(f"recorded OpenAI traffic not found: {exc}") from None
    key = "sk-demo-not-a-real-key"
    return (
        openai.OpenAI(api_key=key, base_url=plain.base_url + "/v1", max_retries=0),
        openai.OpenAI(api_key=key, base_url=streamed.base_url + "/v1", max_retries=0),
    )


App = Callable[[Any, Any], None]  # app(plain_client, stream_client): OpenAI clients on the replayed recordings


def demo_app(plain_client: Any, stream_client: Any) -> None:
    """The instrumented app: two interactions in one session."""
    import huggingplace_sdk as hp

    question = "Tell me a joke about opentelemetry"
    with hp.session(DEMO_SESSION, user_id=DEMO_USER, app="demo"):
        with hp.trace_step("joke_agent", type="agent") as step:
            step.user_question = question
            with hp.trace_step("draft"):
                reply = plain_client.chat.completions.create(
                    model="gpt-3.5-turbo", messages=[{"role": "user", "content": question}]
                )
            with hp.trace_step("rate_joke", type="tool", tool_call_id="call_demo_rating"):
                rating = len(reply.choices[0].message.content or "") % 5 + 1
            stream = stream_client.chat.completions.create(
                model="gpt-3.5-turbo", messages=[{"role": "user", "content": question}], stream=True
            )
            streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
            step.prompt_response = f"{streamed} (rating {rating}/5)"
        with hp.trace_step("follow_up", type="agent") as step:
            step.user_question = question + " (again)"
            again = plain_client.chat.completions.create(
                model="gpt-3.5-turbo", messages=[{"role": "user", "content": question}]
            )
            step.prompt_response = again.choices[0].message.content


def run_pipeline(server: LocalServer, app: App | None = None, *, capture_content: bool = True) -> DemoResult:
    """Instrument, run the app against the replayed vendor, deliver both ways, check what arrived."""
    import huggingplace_sdk as hp

    recorder = _Recorder()
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: "huggingplace-demo"}))
    provider.add_span_processor(SimpleSpanProcessor(recorder))
    exporter_options = {"api_key": DEFAULT_DEV_API_KEY, "org_id": DEMO_ORG_ID, "base_url": server.url}
    with ExitStack() as stack:
        plain_client, stream_client = _vendor_stubs(stack)
        # The OTLP exporter reads its headers from the standard variable: the same route a user takes.
        stack.enter_context(_environment(_OTLP_HEADERS_ENV, f"Authorization=Bearer%20{DEFAULT_DEV_API_KEY}"))
        tracing = hp.instrument(
            ["openai"],
            tracer_provider=provider,
            otlp_endpoint=server.url,
            huggingplace=exporter_options,
            capture_content=capture_content,
        )
        try:
            (app or demo_app)(plain_client, stream_client)
            tracing.flush(_FLUSH_TIMEOUT_S)
        finally:
            tracing.shutdown(_FLUSH_TIMEOUT_S)
            provider.shutdown()
    return check_arrival(server, recorder.spans)


def check_arrival(server: LocalServer, produced: Sequence[ReadableSpan]) -> DemoResult:
    result = DemoResult()
    for span in produced:
        result.traces.setdefault(f"{span.context.trace_id:032x}", set()).add(f"{span.context.span_id:016x}")
    for trace_id, span_ids in result.traces.items():
        stored = {span["span_id"] for span in server.traces.spans(trace_id)}
        result.missing_spans.extend(f"{trace_id}/{span_id}" for span_id in sorted(span_ids - stored))
        if not server.traces.logs_of_trace(trace_id):
            result.missing_logs.append(trace_id)
    return result


def report(server: LocalServer, result: DemoResult, out: TextIO) -> None:
    for trace_id in result.traces:
        print(f"\ntrace {trace_id}", file=out)
        for line in tree_lines(server.traces.spans(trace_id)):
            print("  " + line, file=out)
    print(file=out)
    if result.ok:
        print(
            f"OK: all {result.span_count} spans arrived over OTLP and all {len(result.traces)} interactions "
            "arrived as HuggingPlace logs.",
            file=out,
        )
        return
    if result.missing_spans:
        print(f"FAILED: {len(result.missing_spans)} spans did not arrive: {', '.join(result.missing_spans)}",
              file=out)
    if result.missing_logs:
        print(f"FAILED: no interaction log for traces {', '.join(result.missing_logs)}", file=out)
    if not result.traces:
        print("FAILED: the app produced no spans (is huggingplace-instrumentation-openai installed?)", file=out)
