"""The Payman adapter, driven through the real ``payman_sdk`` client against the local fake platform."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from payman_sdk import PaymanClient

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.testing import SpanCapture, assert_no_secret_in_spans

from .payman_fake import TASKS_SEND_PATH, TEST_CREDENTIALS, TOKEN_PATH

QUESTION = "Send $25 to Alice for lunch"
CREDS = TEST_CREDENTIALS


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def sent_task(fake: Any, index: int = -1) -> dict[str, Any]:
    body = fake.calls_to(TASKS_SEND_PATH)[index].body
    assert isinstance(body, dict)
    return body


# --- ask ---------------------------------------------------------------------------------------------------
def test_ask_span_with_ids_status_and_token_child(instrumented: Any, fake: Any, client: Any,
                                                  span_capture: SpanCapture) -> None:
    result = client.ask(QUESTION)

    assert type(result) is dict and result["artifacts"][0]["content"] == fake.answer
    sent = sent_task(fake)
    ask = span_capture.only_span("invoke_agent payman")
    attrs = attributes(ask)
    assert ask.kind is SpanKind.CLIENT
    assert attrs[sc.GEN_AI_OPERATION_NAME] == sc.OP_INVOKE_AGENT
    assert attrs[sc.GEN_AI_PROVIDER_NAME] == "payman"
    assert attrs[sc.SESSION_ID] == sent["params"]["sessionId"] == result["session_id"]
    assert attrs[sc.SESSION_ID].startswith("ses-")
    assert attrs[sc.HP_PAYMAN_SESSION_ID] == attrs[sc.SESSION_ID]
    assert attrs[sc.HP_PAYMAN_TASK_ID] == sent["params"]["id"] == result["task_id"]
    assert attrs[sc.HP_PAYMAN_REQUEST_ID] == sent["id"] == result["request_id"]
    assert attrs[sc.HP_PAYMAN_TASK_STATUS] == fake.task_state
    assert attrs[sc.HP_PAYMAN_ARTIFACT_COUNT] == 1
    assert attrs[sc.HP_PAYMAN_OUTPUT_FORMAT] == "markdown"
    assert attrs[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert sc.GEN_AI_INPUT_MESSAGES not in attrs and sc.GEN_AI_OUTPUT_MESSAGES not in attrs
    assert QUESTION not in str(attrs) and fake.answer not in str(attrs)
    assert ask.status.status_code is StatusCode.UNSET

    token = span_capture.only_span("payman.oauth_token")
    assert token.parent is not None and token.parent.span_id == ask.context.span_id
    assert token.kind is SpanKind.CLIENT
    assert attributes(token)[sc.HP_PAYMAN_GRANT_TYPE] == "client_credentials"
    assert fake.calls_to(TOKEN_PATH)[0].query["grant_type"] == ["client_credentials"]


def test_token_is_fetched_once(instrumented: Any, fake: Any, client: Any,
                               span_capture: SpanCapture) -> None:
    client.ask(QUESTION)
    client.ask("And to Bob?")

    names = sorted(span.name for span in span_capture.spans())
    assert names == ["invoke_agent payman", "invoke_agent payman", "payman.oauth_token"]
    assert len(fake.calls_to(TOKEN_PATH)) == 1


def test_concurrent_asks_keep_their_own_ids(instrumented: Any, fake: Any, client: Any,
                                            span_capture: SpanCapture) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client.ask(QUESTION)  # fetch the token once, before the threads
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: client.ask(f"{QUESTION} #{i}", {"output_format": "json"}), range(8)))

    asks = [s for s in span_capture.spans() if s.name == "invoke_agent payman"][1:]
    recorded = {(attributes(s)[sc.HP_PAYMAN_TASK_ID], attributes(s)[sc.HP_PAYMAN_REQUEST_ID]) for s in asks}
    assert recorded == {(r["result"]["id"], r["id"]) for r in results}
    assert len(recorded) == 8


@pytest.mark.parametrize("capture_content", [True])
def test_question_and_artifacts_only_under_content_capture(instrumented: Any, fake: Any, client: Any,
                                                           span_capture: SpanCapture) -> None:
    client.ask(QUESTION)

    attrs = attributes(span_capture.only_span("invoke_agent payman"))
    assert QUESTION in attrs[sc.GEN_AI_INPUT_MESSAGES]
    assert fake.answer in attrs[sc.GEN_AI_OUTPUT_MESSAGES]


def test_json_output_and_new_session(instrumented: Any, fake: Any, client: Any,
                                     span_capture: SpanCapture) -> None:
    first_session = client.get_session_id()
    raw = client.ask(QUESTION, {"output_format": "json", "new_session": True})

    assert raw["jsonrpc"] == "2.0"
    attrs = attributes(span_capture.only_span("invoke_agent payman"))
    assert attrs[sc.SESSION_ID] == raw["result"]["session_id"] == client.get_session_id() != first_session
    assert attrs[sc.HP_PAYMAN_REQUEST_ID] == raw["id"]
    assert attrs[sc.HP_PAYMAN_TASK_ID] == raw["result"]["id"]
    assert attrs[sc.HP_PAYMAN_OUTPUT_FORMAT] == "json"
    assert attrs[sc.HP_PAYMAN_NEW_SESSION] is True
    assert attrs[sc.HP_PAYMAN_TASK_STATUS] == "completed"


def test_failed_task_marks_the_span(instrumented: Any, fake: Any, client: Any,
                                    span_capture: SpanCapture) -> None:
    fake.task_state = "failed"
    result = client.ask(QUESTION)

    assert result["status"] == "failed"
    ask = span_capture.only_span("invoke_agent payman")
    assert attributes(ask)[sc.ERROR_TYPE] == "task_failed"
    assert ask.status.status_code is StatusCode.ERROR


# --- errors ------------------------------------------------------------------------------------------------
def test_platform_error_code_and_ids(instrumented: Any, fake: Any, client: Any,
                                     span_capture: SpanCapture) -> None:
    fake.rpc_error = {"code": -32001, "message": "Agent unavailable", "data": None}
    with pytest.raises(Exception, match="Failed to get response from agent") as raised:
        client.ask(QUESTION)

    assert type(raised.value) is Exception
    sent = sent_task(fake)
    ask = span_capture.only_span("invoke_agent payman")
    attrs = attributes(ask)
    assert attrs[sc.ERROR_TYPE] == "Exception"
    assert attrs[sc.HP_PAYMAN_ERROR_CODE] == fake.rpc_error["code"]
    assert attrs[sc.HP_PAYMAN_ERROR_MESSAGE] == fake.rpc_error["message"]
    assert attrs[sc.HP_PAYMAN_TASK_ID] == sent["params"]["id"]  # known although the call failed
    assert attrs[sc.HP_PAYMAN_REQUEST_ID] == sent["id"]
    assert ask.status.status_code is StatusCode.ERROR


def test_http_error(instrumented: Any, fake: Any, client: Any, span_capture: SpanCapture) -> None:
    fake.task_http_status = 503
    with pytest.raises(requests.HTTPError):
        client.ask(QUESTION)

    attrs = attributes(span_capture.only_span("invoke_agent payman"))
    assert attrs[sc.ERROR_TYPE] == "requests.exceptions.HTTPError"
    assert attrs[sc.HTTP_RESPONSE_STATUS_CODE] == 503


def test_dropped_connection(instrumented: Any, fake: Any, client: Any, span_capture: SpanCapture) -> None:
    fake.drop_next_task = True
    with pytest.raises(requests.ConnectionError):
        client.ask(QUESTION)

    ask = span_capture.only_span("invoke_agent payman")
    assert attributes(ask)[sc.ERROR_TYPE] == "requests.exceptions.ConnectionError"
    assert ask.status.status_code is StatusCode.ERROR


def test_rejected_credentials_fail_the_token_span(instrumented: Any, fake: Any,
                                                  span_capture: SpanCapture) -> None:
    payman = PaymanClient.with_credentials({"client_id": CREDS.client_id, "client_secret": "wrong-secret"})
    payman.base_url = fake.base_url
    with pytest.raises(requests.HTTPError):
        payman.ask(QUESTION)

    token = span_capture.only_span("payman.oauth_token")
    attrs = attributes(token)
    assert attrs[sc.ERROR_TYPE] == "requests.exceptions.HTTPError"
    assert attrs[sc.HTTP_RESPONSE_STATUS_CODE] == 401
    assert token.status.status_code is StatusCode.ERROR and token.status.description is None
    assert fake.calls_to(TASKS_SEND_PATH) == []
    assert attributes(span_capture.only_span("invoke_agent payman"))[sc.ERROR_TYPE] == "requests.exceptions.HTTPError"


def test_refresh_and_authorization_code_grants(instrumented: Any, fake: Any, live_base_url: str,
                                               span_capture: SpanCapture) -> None:
    config = {"client_id": CREDS.client_id, "client_secret": CREDS.client_secret}
    PaymanClient.with_token(config, {"refreshToken": CREDS.refresh_token})
    PaymanClient.with_auth_code(config, CREDS.auth_code)

    grants = [attributes(s)[sc.HP_PAYMAN_GRANT_TYPE] for s in span_capture.spans()]
    assert grants == ["refresh_token", "authorization_code"]
    assert [c.query["grant_type"] for c in fake.calls_to(TOKEN_PATH)] == [["refresh_token"], ["authorization_code"]]


# --- contract: parenting, suppression, uninstrument, guard, credentials ------------------------------------
def test_spans_nest_under_the_callers_span(instrumented: Any, fake: Any, client: Any,
                                           span_capture: SpanCapture) -> None:
    with span_capture.tracer_provider.get_tracer("user").start_as_current_span("user step") as step:
        client.ask(QUESTION)
    ask = span_capture.only_span("invoke_agent payman")
    assert ask.parent is not None and ask.parent.span_id == step.get_span_context().span_id


def test_session_and_trace_step_around_ask(fake: Any, client: Any, span_capture: SpanCapture) -> None:
    import huggingplace_sdk as hp

    with (span_capture.instrumented_by_name("payman"), hp.session("user-session", user_id="user-1"),
          hp.trace_step("pay the bill")):
        result = client.ask(QUESTION)

    step = span_capture.only_span("pay the bill")
    ask = span_capture.only_span("invoke_agent payman")
    token = span_capture.only_span("payman.oauth_token")
    assert ask.parent is not None and ask.parent.span_id == step.context.span_id
    assert token.parent is not None and token.parent.span_id == ask.context.span_id
    attrs = attributes(ask)
    assert attrs[sc.SESSION_ID] == "user-session"  # session() wins over the platform's id ...
    assert attrs[sc.USER_ID] == "user-1"
    assert attrs[sc.HP_PAYMAN_SESSION_ID] == result["session_id"]  # ... which is kept beside it


def test_suppressed_instrumentation_records_nothing(instrumented: Any, fake: Any, client: Any,
                                                    span_capture: SpanCapture) -> None:
    with suppress_instrumentation():
        assert client.ask(QUESTION)["status"] == "completed"
    assert span_capture.spans() == []


def test_uninstrument_restores_the_sdk(span_capture: SpanCapture, fake: Any, client: Any) -> None:
    import payman_sdk.client
    from huggingplace_instrumentation_payman import PaymanInstrumentor

    originals = (vars(PaymanClient)["ask"], vars(PaymanClient)["_initialize_access_token"],
                 payman_sdk.client.create_task_request)
    instrumentor = PaymanInstrumentor()
    instrumentor.instrument(tracer_provider=span_capture.tracer_provider)
    assert vars(PaymanClient)["ask"] is not originals[0]
    instrumentor.uninstrument()

    assert (vars(PaymanClient)["ask"], vars(PaymanClient)["_initialize_access_token"],
            payman_sdk.client.create_task_request) == originals
    client.ask(QUESTION)
    assert span_capture.spans() == []


def test_our_failure_never_breaks_ask(instrumented: Any, fake: Any, client: Any,
                                      span_capture: SpanCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_payman import _ask

    from huggingplace_sdk.engine import internal_error_counts, tolerate_internal_errors

    def broken(*args: Any) -> None:
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(_ask, "_record_request", broken)
    before = internal_error_counts().get("payman.ask.request", 0)
    with tolerate_internal_errors():
        result = client.ask(QUESTION)

    assert result["artifacts"][0]["content"] == fake.answer
    assert internal_error_counts()["payman.ask.request"] == before + 1
    assert span_capture.only_span("invoke_agent payman").end_time is not None


@pytest.mark.parametrize("capture_content", [True])
def test_no_credential_in_any_span(instrumented: Any, fake: Any, live_base_url: str,
                                   span_capture: SpanCapture) -> None:
    config = {"client_id": CREDS.client_id, "client_secret": CREDS.client_secret}
    ok = PaymanClient.with_credentials(config)
    ok.ask(QUESTION)
    fake.rpc_error = {"code": -32002, "message": "Insufficient funds", "data": None}
    with pytest.raises(Exception, match="Insufficient funds"):
        ok.ask(QUESTION)
    fake.rpc_error = None
    PaymanClient.with_auth_code(config, CREDS.auth_code)
    # A token that expires at once: the next ask refreshes it, and the refresh fails with the refresh
    # token in the URL of the error message.
    expiring = PaymanClient.with_token(config, {"accessToken": CREDS.access_token, "expiresIn": 0,
                                                "refreshToken": CREDS.refresh_token})
    fake.token_http_status = 500
    with pytest.raises(requests.HTTPError) as raised:
        expiring.ask(QUESTION)
    assert CREDS.refresh_token in str(raised.value)  # the SDK's message does carry it
    with pytest.raises(requests.HTTPError):
        PaymanClient.with_auth_code(config, CREDS.auth_code)

    spans = span_capture.spans()
    assert len([s for s in spans if s.status.status_code is StatusCode.ERROR]) >= 4
    basic = base64.b64encode(f"{CREDS.client_id}:{CREDS.client_secret}".encode()).decode()
    assert_no_secret_in_spans(spans, [CREDS.client_secret, CREDS.access_token, CREDS.refresh_token,
                                      CREDS.auth_code, basic])
