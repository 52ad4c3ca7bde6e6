"""The engine's public surface for adapter distributions: the contract, the base instrumentor, and the
shared reading of wire shapes several vendors speak (OpenAI-style chat completions)."""

from __future__ import annotations

from ._engine.content import ContentPolicy, Redactor
from ._engine.engine import Engine, Operation
from ._engine.errors import error_type_of, record_error
from ._engine.fields import (
    field_of,
    given_value,
    integer_of,
    is_mapping,
    items_of,
    number_attributes,
    number_of,
    strings_of,
    text_of,
)
from ._engine.guard import guarded, internal_error_counts, report_internal_error, tolerate_internal_errors
from ._engine.instrumentor import GenAIInstrumentor
from ._engine.invocation import Invocation
from ._engine.openai_chat import (
    CHAT_SAMPLING,
    ChatCompletionsCodec,
    call_argument,
    chat_content_parts,
    chat_messages,
    chat_output_type,
    chat_tool_definitions,
    is_usage_only_chunk,
    json_arguments,
    non_empty_str,
    put_attribute,
    put_chat_sampling,
    put_sampling,
    record_chat_usage,
    stop_sequences,
    strict_float,
    strict_int,
)
from ._engine.openai_responses import RESPONSES_TOOL_CALL_ITEMS, record_responses_usage, responses_finish_reason
from ._engine.options import env_flag, env_int
from ._engine.platform import argument_of, platform_session_attributes
from ._engine.raw import StreamObserver, observe_raw_response, raw_response_handler
from ._engine.secrets import REDACTED, scrub_secrets
from ._engine.server import server_attributes, server_of
from ._engine.spec import Call, Codec, EngineRef, Hook, Message, Recorder, Request, ResultHandler, Target
from ._engine.stream_methods import observe_stream_methods, stream_method_hooks
from ._engine.wrapper import wrapped_call_engine

__all__ = [
    "CHAT_SAMPLING",
    "REDACTED",
    "RESPONSES_TOOL_CALL_ITEMS",
    "Call",
    "ChatCompletionsCodec",
    "Codec",
    "ContentPolicy",
    "Engine",
    "EngineRef",
    "GenAIInstrumentor",
    "Hook",
    "Invocation",
    "Message",
    "Operation",
    "Recorder",
    "Redactor",
    "Request",
    "ResultHandler",
    "StreamObserver",
    "Target",
    "argument_of",
    "call_argument",
    "chat_content_parts",
    "chat_messages",
    "chat_output_type",
    "chat_tool_definitions",
    "env_flag",
    "env_int",
    "error_type_of",
    "field_of",
    "given_value",
    "guarded",
    "integer_of",
    "internal_error_counts",
    "is_mapping",
    "is_usage_only_chunk",
    "items_of",
    "json_arguments",
    "non_empty_str",
    "number_attributes",
    "number_of",
    "observe_raw_response",
    "observe_stream_methods",
    "platform_session_attributes",
    "put_attribute",
    "put_chat_sampling",
    "put_sampling",
    "raw_response_handler",
    "record_chat_usage",
    "record_error",
    "record_responses_usage",
    "report_internal_error",
    "responses_finish_reason",
    "scrub_secrets",
    "server_attributes",
    "server_of",
    "stop_sequences",
    "stream_method_hooks",
    "strict_float",
    "strict_int",
    "strings_of",
    "text_of",
    "tolerate_internal_errors",
    "wrapped_call_engine",
]
