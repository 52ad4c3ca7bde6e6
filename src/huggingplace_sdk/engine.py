"""The engine's public surface for adapter distributions: the contract and the base instrumentor."""

from __future__ import annotations

from ._engine.content import ContentPolicy, Redactor
from ._engine.engine import Engine, Operation
from ._engine.errors import error_type_of, record_error
from ._engine.guard import guarded, internal_error_counts, report_internal_error, tolerate_internal_errors
from ._engine.instrumentor import GenAIInstrumentor
from ._engine.invocation import Invocation
from ._engine.options import env_flag, env_int
from ._engine.platform import argument_of, platform_session_attributes
from ._engine.secrets import REDACTED, scrub_secrets
from ._engine.server import server_attributes, server_of
from ._engine.spec import Call, Codec, EngineRef, Hook, Message, Recorder, Request, ResultHandler, Target

__all__ = [
    "REDACTED",
    "Call",
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
    "Target",
    "argument_of",
    "env_flag",
    "env_int",
    "error_type_of",
    "guarded",
    "internal_error_counts",
    "platform_session_attributes",
    "record_error",
    "report_internal_error",
    "scrub_secrets",
    "server_attributes",
    "server_of",
    "tolerate_internal_errors",
]
