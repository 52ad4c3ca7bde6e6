"""The whole public surface of the core distribution, pinned: a change here is a deliberate API change."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import huggingplace_sdk
import huggingplace_sdk.engine

ROOT = Path(__file__).parents[1]

CORE = {
    "AuthenticationError", "ConfigurationError", "HuggingPlace", "HuggingPlaceError", "Instrumentation",
    "LogSession", "NetworkError", "RateLimitError", "ServerError", "SessionInfo", "StepHandle",
    "SyncHuggingPlace", "SyncLogSession", "TimeoutError", "ValidationError", "available_adapters",
    "current_session", "current_step", "flush", "instrument", "session", "shutdown", "trace_step",
    "uninstrument", "with_context",
    "BudgetExceededError", "AdapterActivation",
}
ENGINE = {
    "Call", "Codec", "ContentPolicy", "Engine", "GenAIInstrumentor", "Invocation", "Message", "Operation",
    "Recorder", "Redactor", "Request", "ResultHandler", "Target", "env_flag", "env_int", "error_type_of",
    "internal_error_counts", "report_internal_error", "tolerate_internal_errors",
    "EngineRef", "Hook", "REDACTED", "guarded", "record_error", "scrub_secrets", "server_attributes", "server_of",
    "argument_of", "platform_session_attributes",
    "StreamObserver", "observe_raw_response", "raw_response_handler", "wrapped_call_engine",
    "observe_stream_methods", "stream_method_hooks",
    "field_of", "given_value", "integer_of", "is_mapping", "items_of", "number_attributes", "number_of",
    "strings_of", "text_of",
    # OpenAI-style chat completions reading, shared by the openai and groq adapters
    "CHAT_SAMPLING", "ChatCompletionsCodec", "call_argument", "chat_content_parts", "chat_messages", "chat_output_type",
    "chat_tool_definitions", "is_usage_only_chunk", "json_arguments", "non_empty_str", "put_attribute",
    "put_chat_sampling", "put_sampling", "record_chat_usage",
    # The Responses API shape, shared by the openai, litellm and openai_agents adapters
    "RESPONSES_TOOL_CALL_ITEMS", "record_responses_usage", "responses_finish_reason",
    "stop_sequences", "strict_float", "strict_int",
}


def test_core_surface_is_pinned() -> None:
    assert set(huggingplace_sdk.__all__) == CORE
    assert len(huggingplace_sdk.__all__) == len(CORE)
    assert all(hasattr(huggingplace_sdk, name) for name in CORE)


def test_engine_surface_for_adapter_authors_is_pinned() -> None:
    assert set(huggingplace_sdk.engine.__all__) == ENGINE
    assert all(hasattr(huggingplace_sdk.engine, name) for name in ENGINE)


def test_only_documented_modules_are_public() -> None:
    public = {m.name for m in pkgutil.iter_modules(huggingplace_sdk.__path__) if not m.name.startswith("_")}
    assert public == {"engine", "server", "testing"}


def test_every_distribution_ships_py_typed() -> None:
    packages = [ROOT / "src" / "huggingplace_sdk"]
    packages += [p for p in (ROOT / "instrumentation").glob("*/src/*") if p.is_dir()]
    packages += [p for p in (ROOT / "exporters").glob("*/src/*") if p.is_dir()]
    distributions = [*ROOT.glob("instrumentation/*/pyproject.toml"), *ROOT.glob("exporters/*/pyproject.toml")]
    assert len(packages) == 1 + len(distributions)  # one package per distribution, none forgotten
    for package in packages:
        assert (package / "py.typed").is_file(), package
