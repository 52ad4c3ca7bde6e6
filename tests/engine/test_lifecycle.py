"""Span lifecycle for plain calls: attributes, usage provenance, errors, guard, suppression, no duplicates."""

from __future__ import annotations

import fakevendor
import pytest
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, StatusCode

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors
from huggingplace_sdk.testing import SpanCapture


def test_plain_call_gives_one_client_span_with_request_and_response_attributes(fake: SpanCapture) -> None:
    result = fakevendor.Completions().create(model="org/fake-model-1", temperature=0.2)
    assert type(result) is fakevendor.Response
    span = fake.only_span()
    attrs = dict(span.attributes or {})
    assert span.name == "chat org/fake-model-1"
    assert span.kind is SpanKind.CLIENT
    assert attrs[sc.GEN_AI_OPERATION_NAME] == "chat"
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "fake"
    assert sc.GEN_AI_SYSTEM not in attrs
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == "org/fake-model-1"
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "org/fake-model-1"
    assert attrs[sc.GEN_AI_REQUEST_TEMPERATURE] == 0.2
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is False
    assert attrs[sc.GEN_AI_RESPONSE_ID] == "resp-1"
    assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == 7
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == 5
    assert attrs[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] == 2
    assert attrs[sc.HP_USAGE_SOURCE] == "provider"
    assert attrs[sc.SERVER_ADDRESS] == "fake.example"
    assert attrs[sc.SERVER_PORT] == 443
    assert sc.GEN_AI_INPUT_MESSAGES not in attrs and sc.GEN_AI_OUTPUT_MESSAGES not in attrs
    assert span.status.status_code is StatusCode.UNSET


def test_missing_usage_is_marked_absent_never_invented(fake: SpanCapture) -> None:
    fakevendor.Completions().create(model="m", usage=False)
    attrs = fake.only_span().attributes or {}
    assert attrs[sc.HP_USAGE_SOURCE] == "absent"
    assert sc.GEN_AI_USAGE_INPUT_TOKENS not in attrs and sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attrs


def test_metrics_use_the_conventions_names_and_buckets(fake: SpanCapture) -> None:
    fakevendor.Completions().create(model="m")
    [duration] = fake.metric_points(sc.METRIC_OPERATION_DURATION)
    assert tuple(duration.explicit_bounds) == sc.DURATION_BUCKETS
    assert duration.attributes[sc.GEN_AI_OPERATION_NAME] == "chat"
    tokens = {p.attributes[sc.GEN_AI_TOKEN_TYPE]: p for p in fake.metric_points(sc.METRIC_TOKEN_USAGE)}
    assert tokens["input"].sum == 7 and tokens["output"].sum == 5
    assert tuple(tokens["input"].explicit_bounds) == sc.TOKEN_USAGE_BUCKETS


def test_metric_exemplars_point_at_the_call_span_not_its_parent(fake: SpanCapture) -> None:
    with fake.tracer_provider.get_tracer("user").start_as_current_span("request handler") as parent:
        fakevendor.Completions().create(model="m")
    call = next(span for span in fake.spans() if span.name == "chat m")
    data = fake.metric_reader.get_metrics_data()  # one collection: exemplars are reported once
    points = {(metric.name, point.attributes.get(sc.GEN_AI_TOKEN_TYPE)): point
              for resource in data.resource_metrics for scope in resource.scope_metrics
              for metric in scope.metrics for point in metric.data.data_points}
    assert set(points) == {(sc.METRIC_OPERATION_DURATION, None), (sc.METRIC_TOKEN_USAGE, "input"),
                           (sc.METRIC_TOKEN_USAGE, "output")}
    for key, point in points.items():
        assert [e.span_id for e in point.exemplars] == [call.context.span_id], key
    assert call.context.span_id != parent.get_span_context().span_id


def test_vendor_exception_passes_unchanged_and_is_recorded(fake: SpanCapture) -> None:
    with pytest.raises(fakevendor.VendorError) as info:
        fakevendor.Completions().create(model="m", fail=True)
    assert str(info.value) == "vendor rejected the request"
    span = fake.only_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == "fakevendor.VendorError"
    assert [e.name for e in span.events] == ["exception"]


async def test_async_call_and_async_error(fake: SpanCapture) -> None:
    result = await fakevendor.AsyncCompletions().create(model="m")
    assert type(result) is fakevendor.Response
    with pytest.raises(fakevendor.VendorError):
        await fakevendor.AsyncCompletions().create(model="m", fail=True)
    ok, failed = fake.spans()
    assert (ok.attributes or {})[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == 5
    assert failed.status.status_code is StatusCode.ERROR


@pytest.mark.parametrize("where", ["request", "response"])
def test_a_codec_bug_never_breaks_the_call(fake: SpanCapture, where: str) -> None:
    fakevendor.FakeInstrumentor.codec.explode = where
    before = sum(internal_error_counts().values())
    with tolerate_internal_errors():
        result = fakevendor.Completions().create(model="m")
    assert type(result) is fakevendor.Response and result.choices[0]["text"] == "Hello"
    assert sum(internal_error_counts().values()) == before + 1
    # A failed response read still ends the span; a failed request read leaves the call untraced.
    assert len(fake.spans()) == (1 if where == "response" else 0)


def test_a_codec_bug_fails_loudly_under_pytest(fake: SpanCapture) -> None:
    fakevendor.FakeInstrumentor.codec.explode = "request"
    with pytest.raises(Exception, match="internal error in begin"):
        fakevendor.Completions().create(model="m")


def test_suppression_key_is_respected(fake: SpanCapture) -> None:
    token = otel_context.attach(otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True))
    try:
        fakevendor.Completions().create(model="m")
    finally:
        otel_context.detach(token)
    assert fake.spans() == []


def test_a_wrapped_method_calling_another_gives_one_span(fake: SpanCapture) -> None:
    fakevendor.Completions().create_twice_nested(model="m")
    assert len(fake.spans()) == 1


def test_subclass_calling_super_gives_one_span(fake: SpanCapture) -> None:
    class Custom(fakevendor.Completions):
        def create(self, **kwargs):  # type: ignore[no-untyped-def]
            return super().create(**kwargs)

    Custom().create(model="m")
    assert len(fake.spans()) == 1


def test_uninstrument_restores_identity_and_stops_tracing(span_capture: SpanCapture) -> None:
    original_sync = fakevendor.Completions.__dict__["create"]
    original_async = fakevendor.AsyncCompletions.__dict__["create"]
    instrumentor = fakevendor.FakeInstrumentor()
    span_capture.instrument(instrumentor)
    assert fakevendor.Completions.__dict__["create"] is not original_sync
    instrumentor.uninstrument()
    assert fakevendor.Completions.__dict__["create"] is original_sync
    assert fakevendor.AsyncCompletions.__dict__["create"] is original_async
    span_capture._instrumented.clear()
    fakevendor.Completions().create(model="m")
    assert span_capture.spans() == []


def test_second_instrument_is_a_no_op(fake: SpanCapture) -> None:
    instrumentor = fakevendor.FakeInstrumentor()
    wrapped = fakevendor.Completions.__dict__["create"]
    instrumentor.instrument(tracer_provider=fake.tracer_provider)  # already instrumented: ignored
    assert fakevendor.Completions.__dict__["create"] is wrapped
    fakevendor.Completions().create(model="m")
    assert len(fake.spans()) == 1


def test_legacy_system_attribute_switch(span_capture: SpanCapture) -> None:
    with span_capture.instrumented(fakevendor.FakeInstrumentor(), emit_legacy_system=True):
        fakevendor.Completions().create(model="m")
    assert (span_capture.only_span().attributes or {})[sc.GEN_AI_SYSTEM] == "fake"


def test_bad_engine_arguments_raise_clearly() -> None:
    with pytest.raises(TypeError, match="capture_content"):
        fakevendor.FakeInstrumentor().instrument(capture_content="yes")
    with pytest.raises(ValueError, match="max_content_bytes"):
        fakevendor.FakeInstrumentor().instrument(max_content_bytes=3)


def test_bad_environment_values_fall_back(monkeypatch: pytest.MonkeyPatch, span_capture: SpanCapture,
                                          caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "maybe")
    with span_capture.instrumented(fakevendor.FakeInstrumentor()):
        fakevendor.Completions().create(model="m")
    assert sc.GEN_AI_INPUT_MESSAGES not in (span_capture.only_span().attributes or {})
    assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT" in caplog.text


def test_hooks_are_installed_and_restored_like_targets(span_capture: SpanCapture) -> None:
    from huggingplace_sdk.engine import GenAIInstrumentor, Hook

    calls: list[bool] = []

    def factory(engine):  # type: ignore[no-untyped-def]
        def wrapper(wrapped, instance, args, kwargs):  # type: ignore[no-untyped-def]
            active = engine()
            calls.append(active is not None)
            if active is None:
                return wrapped(*args, **kwargs)
            with active.operation("hooked op"):
                return wrapped(*args, **kwargs)
        return wrapper

    class HookInstrumentor(GenAIInstrumentor):
        provider = "fake"

        def targets(self):  # type: ignore[no-untyped-def]
            return [Hook("fakevendor", "Completions.create_twice_nested", factory)]

    original = fakevendor.Completions.__dict__["create_twice_nested"]
    with span_capture.instrumented(HookInstrumentor()):
        fakevendor.Completions().create_twice_nested(model="m")
        token = otel_context.attach(otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            fakevendor.Completions().create_twice_nested(model="m")
        finally:
            otel_context.detach(token)
    assert fakevendor.Completions.__dict__["create_twice_nested"] is original
    assert calls == [True, False]
    assert [s.name for s in span_capture.spans()] == ["hooked op"]


def test_scrub_secrets_removes_values_query_credentials_and_auth_headers() -> None:
    from huggingplace_sdk.engine import scrub_secrets

    text = "GET https://x/y?api_key=abc123&q=1 failed; Authorization: Bearer tok.en-9 sent by sk-secret"
    scrubbed = scrub_secrets(text, ["sk-secret"])
    assert "abc123" not in scrubbed and "tok.en-9" not in scrubbed and "sk-secret" not in scrubbed
    assert "q=1" in scrubbed


async def test_a_task_started_inside_a_wrapped_call_is_still_traced(fake: SpanCapture) -> None:
    task = await fakevendor.AsyncCompletions().create_in_background(model="outer")
    await task
    assert [s.name for s in fake.spans()] == ["chat outer", "chat outer"]  # the outer call and the task's


def test_exception_text_is_scrubbed_of_credentials(fake: SpanCapture) -> None:
    leaky = "POST https://api.example/token?refresh_token=rt-123 failed, Authorization: Bearer sk-999"
    with pytest.raises(fakevendor.VendorError, match="rt-123"):  # the caller's exception is untouched
        fakevendor.Completions().create(model="m", fail=leaky)
    span = fake.only_span()
    recorded = str(span.status.description) + repr([dict(e.attributes or {}) for e in span.events])
    assert "rt-123" not in recorded and "sk-999" not in recorded
    assert "[REDACTED]" in recorded
    assert (span.attributes or {})[sc.ERROR_TYPE] == "fakevendor.VendorError"
