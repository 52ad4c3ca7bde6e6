"""Reading openai call arguments (the engine's OpenAI-style helpers, under this adapter's short names) and
the server address."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import call_argument as arg
from huggingplace_sdk.engine import non_empty_str as as_str
from huggingplace_sdk.engine import put_attribute as put
from huggingplace_sdk.engine import server_of as _server_of_url
from huggingplace_sdk.engine import stop_sequences as string_list
from huggingplace_sdk.engine import strict_float as as_float
from huggingplace_sdk.engine import strict_int as as_int

__all__ = ["arg", "as_float", "as_int", "as_str", "put", "server_of", "string_list"]


def server_of(instance: Any) -> tuple[str | None, int | None]:
    """Host and port from the resource's client ``base_url`` (the default port of its scheme if absent)."""
    client = getattr(instance, "_client", None)
    # openai 3.x's ``base_url`` property runs an import statement on every read; the attribute behind it
    # does not.
    url = getattr(client, "_base_url", None)
    return _server_of_url(url if url is not None else getattr(client, "base_url", None))
