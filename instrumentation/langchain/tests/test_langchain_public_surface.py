"""The adapter's public surface, packaging, version range and instrument()/uninstrument() behaviour."""

from __future__ import annotations

from typing import Any

import huggingplace_instrumentation_langchain as adapter
import pytest
from langchain_core.callbacks import CallbackManager
from langchain_core.runnables import RunnableLambda

from huggingplace_sdk.engine import tolerate_internal_errors
from huggingplace_sdk.testing import (
    SpanCapture,
    check_adapter_distribution,
    check_instrument_idempotent_and_reversible,
    check_missing_vendor_modules_skipped,
)

MANAGER = ("langchain_core.callbacks.base", "BaseCallbackManager.__init__")


def test_public_names() -> None:
    assert adapter.__all__ == ["SUPPORTED", "LangChainInstrumentor"]
    assert adapter.LangChainInstrumentor.provider == "langchain"


def test_distribution_entry_point_and_supported_range() -> None:
    check_adapter_distribution(adapter, adapter.LangChainInstrumentor,
                               distribution="huggingplace-instrumentation-langchain", entry_point="langchain",
                               instruments=("langchain-core >= 0.3.40, < 2",))


def test_instrument_is_idempotent_and_reversible() -> None:
    check_instrument_idempotent_and_reversible(adapter.LangChainInstrumentor, *MANAGER)


def test_missing_vendor_modules_are_skipped() -> None:
    check_missing_vendor_modules_skipped(adapter.LangChainInstrumentor, *MANAGER, ["langchain_core.callbacks.base"])


def _handlers(manager: Any) -> list[str]:
    return [type(h).__name__ for h in manager.inheritable_handlers]


def test_every_manager_gets_the_handler_once_and_none_after_uninstrument(span_capture: SpanCapture) -> None:
    instrumentor = span_capture.instrument(adapter.LangChainInstrumentor())
    manager = CallbackManager.configure()
    assert _handlers(manager).count("HuggingPlaceCallbackHandler") == 1
    assert _handlers(manager.copy()).count("HuggingPlaceCallbackHandler") == 1
    RunnableLambda(lambda x: x + 1).invoke(1)
    assert [s.name for s in span_capture.spans()] == ["RunnableLambda"]
    instrumentor.uninstrument()
    assert "HuggingPlaceCallbackHandler" not in _handlers(CallbackManager.configure())
    span_capture.clear()
    # A manager made while instrumented keeps the handler object, which is now inert.
    assert RunnableLambda(lambda x: x * 2).invoke(2, {"callbacks": manager}) == 4
    assert span_capture.spans() == []


@pytest.mark.internal_errors_expected
def test_a_failing_handler_never_changes_the_result_or_the_exception(span_capture: SpanCapture,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingplace_instrumentation_langchain import _handler

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("our bug")

    monkeypatch.setattr(_handler.FrameworkStep, "attach", broken)
    monkeypatch.setattr(_handler.FrameworkStep, "end", broken)
    span_capture.instrument(adapter.LangChainInstrumentor())
    with tolerate_internal_errors():
        assert RunnableLambda(lambda x: x + 1).invoke(1) == 2

        def fail(x: int) -> int:
            raise KeyError("theirs")

        with pytest.raises(KeyError, match="theirs"):
            RunnableLambda(fail).invoke(1)
