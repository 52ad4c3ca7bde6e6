"""HuggingPlace adapter for the Payman agent platform SDK (``paymanai-sdk`` >= 1.0.8, < 2).

``PaymanInstrumentor().instrument()`` traces ``payman_sdk.PaymanClient``: an ``invoke_agent payman`` span
per ``ask`` (session, task and request ids, task status, platform error; the question and the artifact
text only under content capture) and a ``payman.oauth_token`` child span per token request, which never
records a token, a secret or the Basic credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("payman_sdk",)

__all__ = ["PaymanInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_payman._instrumentor import PaymanInstrumentor

__getattr__ = lazy_exports(__name__, PaymanInstrumentor="._instrumentor")
