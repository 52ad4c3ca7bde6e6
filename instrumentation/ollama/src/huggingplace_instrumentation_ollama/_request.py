"""What every ollama request shares: model, ``options`` as sampling attributes, the server address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.util.types import AttributeValue

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import (
    Call,
    Request,
    argument_of,
    field_of,
    non_empty_str,
    put_sampling,
    server_of,
    stop_sequences,
    strict_float,
    strict_int,
)

PROVIDER = "ollama"

# ``options`` keys (Ollama's model parameters) -> (attribute, strict conversion).
_OPTIONS: dict[str, tuple[str, Callable[[Any], AttributeValue | None]]] = {
    "num_predict": (sc.GEN_AI_REQUEST_MAX_TOKENS, strict_int),
    "temperature": (sc.GEN_AI_REQUEST_TEMPERATURE, strict_float),
    "top_p": (sc.GEN_AI_REQUEST_TOP_P, strict_float),
    "top_k": (sc.GEN_AI_REQUEST_TOP_K, strict_float),
    "seed": (sc.GEN_AI_REQUEST_SEED, strict_int),
    "frequency_penalty": (sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, strict_float),
    "presence_penalty": (sc.GEN_AI_REQUEST_PRESENCE_PENALTY, strict_float),
    "stop": (sc.GEN_AI_REQUEST_STOP_SEQUENCES, stop_sequences),
}


def _client_of(instance: Any) -> Any:
    """The ``Client``/``AsyncClient`` called: the instance of a method, or the module-level functions' client
    (``ollama.chat`` is a bound method of ``ollama._client``, an instance wrapt does not pass on)."""
    if instance is not None and hasattr(instance, "_client"):
        return instance
    import ollama  # already imported: this adapter only runs once ollama is

    return getattr(ollama, "_client", None)


def new_request(call: Call, operation: str, *, streams: bool = True) -> Request:
    """``model`` is the first argument of every method; ``stream`` a keyword (chat, generate)."""
    args, kwargs = call.args, call.kwargs
    http = getattr(_client_of(call.instance), "_client", None)
    host, port = server_of(getattr(http, "base_url", None))
    model = non_empty_str(argument_of(args, kwargs, 0, "model"))
    stream = streams and kwargs.get("stream") is True
    request = Request(operation, PROVIDER, model, stream, server_address=host, server_port=port)
    options = kwargs.get("options")
    if options:
        put_sampling(request.attributes, options if isinstance(options, dict) else dict(options), _OPTIONS)
    output_format = kwargs.get("format")
    if output_format:  # "json" or a JSON schema
        attributes = request.attributes
        attributes[sc.GEN_AI_OUTPUT_TYPE] = "json"
    return request


def record_server_timings(result: Any, recorder: Any) -> None:
    """Usage (``prompt_eval_count`` / ``eval_count``), the model, the done reason and the server's own
    durations, from a final response or the last chunk of a stream (``done`` true)."""
    recorder.set_response(model=non_empty_str(field_of(result, "model")))
    reason = non_empty_str(field_of(result, "done_reason"))
    if reason is not None:
        recorder.set_finish_reason(0, reason)
    input_tokens, output_tokens = field_of(result, "prompt_eval_count"), field_of(result, "eval_count")
    if input_tokens is not None or output_tokens is not None:
        recorder.set_usage(input_tokens=strict_int(input_tokens), output_tokens=strict_int(output_tokens))
    for name, key in _DURATIONS:
        duration = strict_int(field_of(result, name))
        if duration is not None:
            recorder.set_attribute(key, duration)


_DURATIONS = (
    ("total_duration", sc.OLLAMA_RESPONSE_TOTAL_DURATION),
    ("load_duration", sc.OLLAMA_RESPONSE_LOAD_DURATION),
    ("prompt_eval_duration", sc.OLLAMA_RESPONSE_PROMPT_EVAL_DURATION),
    ("eval_duration", sc.OLLAMA_RESPONSE_EVAL_DURATION),
)
