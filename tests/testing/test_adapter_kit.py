"""The adapter checks of the test kit: each passes on a correct adapter and fails on the defect it names."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import huggingplace_instrumentation_tbuddy as tbuddy_adapter
import pytest
from opentelemetry.trace import Link, StatusCode

from huggingplace_sdk.engine import EngineRef, GenAIInstrumentor, Hook
from huggingplace_sdk.testing import (
    SpanCapture,
    assert_no_secret_in_spans,
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

VENDOR = "kit_fake_vendor"
SECRET = "sk-kit-SECRET-0001"


class Client:
    def call(self) -> str:
        return "answer"


def _pass_through(engine: EngineRef) -> Callable[..., Any]:
    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return wrapped(*args, **kwargs)

    return wrapper


class _KitInstrumentor(GenAIInstrumentor):
    # Never instantiated: BaseInstrumentor keeps one instance per class, which subclasses would inherit.
    provider = "kit"

    def targets(self) -> list[Hook]:
        return [Hook(VENDOR, "Client.call", _pass_through)]


class GoodInstrumentor(_KitInstrumentor):
    pass


class NeverRestores(_KitInstrumentor):
    def _uninstrument(self, **kwargs: Any) -> None:
        pass  # the defect: the vendor keeps our wrapper


class ImportsEagerly(_KitInstrumentor):
    def _instrument(self, **kwargs: Any) -> None:
        __import__(VENDOR)  # the defect: a missing vendor raises ImportError
        super()._instrument(**kwargs)


@pytest.fixture(autouse=True)
def vendor_module() -> Iterator[types.ModuleType]:
    module = types.ModuleType(VENDOR)
    module.Client = type("Client", (Client,), {"call": Client.call})  # type: ignore[attr-defined]
    sys.modules[VENDOR] = module
    yield module
    sys.modules.pop(VENDOR, None)


# --- instrument() lifecycle ----------------------------------------------------------------------------------
def test_lifecycle_checks_pass_on_a_correct_instrumentor() -> None:
    check_instrument_idempotent_and_reversible(GoodInstrumentor, VENDOR, "Client.call")
    check_missing_vendor_modules_skipped(GoodInstrumentor, VENDOR, "Client.call", [VENDOR])
    assert sys.modules[VENDOR] is not None  # the hidden module is back


def test_reversible_check_fails_when_uninstrument_leaves_the_wrapper(vendor_module: types.ModuleType) -> None:
    original = vars(vendor_module.Client)["call"]
    with pytest.raises(AssertionError):
        check_instrument_idempotent_and_reversible(NeverRestores, VENDOR, "Client.call")
    vendor_module.Client.call = original


def test_missing_vendor_check_fails_on_an_import_error() -> None:
    with pytest.raises(ImportError):
        check_missing_vendor_modules_skipped(ImportsEagerly, VENDOR, "Client.call", [VENDOR])
    assert sys.modules[VENDOR] is not None


# --- distribution ----------------------------------------------------------------------------------------------
def test_distribution_check_passes_on_the_declared_range() -> None:
    check_adapter_distribution(tbuddy_adapter, tbuddy_adapter.TBuddyInstrumentor,
                               distribution="huggingplace-instrumentation-tbuddy", entry_point="tbuddy",
                               instruments=("tbuddy >= 2.0, < 3",))


@pytest.mark.parametrize("instruments", [("tbuddy >= 2.0, < 4",), ("tbuddy >= 2.0, < 3", "extra >= 1")])
def test_distribution_check_fails_on_another_range(instruments: tuple[str, ...]) -> None:
    with pytest.raises(AssertionError):
        check_adapter_distribution(tbuddy_adapter, tbuddy_adapter.TBuddyInstrumentor,
                                   distribution="huggingplace-instrumentation-tbuddy", entry_point="tbuddy",
                                   instruments=instruments)


@pytest.mark.parametrize("vendor_modules", [None, ("TBuddy_SDK.client",), ("other",)])
def test_distribution_check_fails_when_a_patched_module_is_outside_the_vendor_modules(
        vendor_modules: tuple[str, ...] | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # None: no declaration; the others miss TBuddy_SDK.rest_client (patched too), so it would never load us.
    monkeypatch.setattr(tbuddy_adapter, "_vendor_modules", vendor_modules)
    with pytest.raises(AssertionError):
        check_adapter_distribution(tbuddy_adapter, tbuddy_adapter.TBuddyInstrumentor,
                                   distribution="huggingplace-instrumentation-tbuddy", entry_point="tbuddy",
                                   instruments=("tbuddy >= 2.0, < 3",))


# --- the credential scan ---------------------------------------------------------------------------------------
def _span_with(capture: SpanCapture, where: str) -> None:
    tracer = capture.tracer_provider.get_tracer("kit")
    carrier = tracer.start_span("carrier")
    carrier.end()
    links = [Link(carrier.get_span_context(), {"note": SECRET})] if where == "link" else None
    span = tracer.start_span(f"call {SECRET}" if where == "name" else "call", links=links)
    if where == "attribute":
        span.set_attribute("url", f"https://x/?q={SECRET}")
    if where == "status":
        span.set_status(StatusCode.ERROR, f"refused {SECRET}")
    if where == "event":
        span.add_event("exception", {"exception.message": SECRET})
    if where == "event name":
        span.add_event(SECRET)
    span.end()


@pytest.mark.parametrize("where", ["name", "attribute", "status", "event", "event name", "link"])
def test_scan_finds_a_secret_wherever_a_span_carries_text(span_capture: SpanCapture, where: str) -> None:
    _span_with(span_capture, where)
    with pytest.raises(AssertionError) as raised:
        assert_no_secret_in_spans(span_capture.spans(), ["other", SECRET])
    assert "secret #1" in str(raised.value) and SECRET not in str(raised.value)


def test_scan_passes_clean_spans_and_counts_them(span_capture: SpanCapture) -> None:
    _span_with(span_capture, "attribute")
    assert assert_no_secret_in_spans(span_capture.spans(), ["not-there"]) == 2


def test_scan_without_secrets_refuses_to_pass(span_capture: SpanCapture) -> None:
    with pytest.raises(AssertionError):
        assert_no_secret_in_spans(span_capture.spans(), ["", None])  # type: ignore[list-item]


# --- SpanCapture.only_span(name) -------------------------------------------------------------------------------
def test_only_span_by_name(span_capture: SpanCapture) -> None:
    tracer = span_capture.tracer_provider.get_tracer("kit")
    for name in ("a", "b", "b"):
        tracer.start_span(name).end()
    assert span_capture.only_span("a").name == "a"
    with pytest.raises(AssertionError):
        span_capture.only_span("b")
    with pytest.raises(AssertionError):
        span_capture.only_span("c")
    with pytest.raises(AssertionError):
        span_capture.only_span()


def test_capture_content_fixture_is_off_by_default(capture_content: bool) -> None:
    assert capture_content is False


# --- the instrumented fixture and instrumented_by_name ---------------------------------------------------------
@pytest.fixture
def instrumentor() -> GoodInstrumentor:
    return GoodInstrumentor()


def test_instrumented_fixture_instruments_the_suites_instrumentor(
        instrumented: GoodInstrumentor, instrumentor: GoodInstrumentor, vendor_module: types.ModuleType) -> None:
    assert instrumented is instrumentor
    assert vars(vendor_module.Client)["call"] is not vars(Client)["call"]  # wrapped
    assert instrumented.engine is not None and instrumented.engine.content.capture is False


@pytest.mark.parametrize("capture_content", [True])
def test_instrumented_fixture_passes_capture_content(instrumented: GoodInstrumentor) -> None:
    assert instrumented.engine is not None and instrumented.engine.content.capture is True


def test_instrumented_by_name_goes_through_instrument_into_the_capture(span_capture: SpanCapture) -> None:
    client_class = importlib.import_module("TBuddy_SDK.client").TBuddyClient
    original = vars(client_class)["submit_query"]
    with span_capture.instrumented_by_name("tbuddy") as handle:
        assert set(handle.adapters) == {"tbuddy"}
        assert handle.tracer_provider is span_capture.tracer_provider
        assert handle.exporters == []  # nothing leaves the capture
        assert vars(client_class)["submit_query"] is not original
    assert vars(client_class)["submit_query"] is original
