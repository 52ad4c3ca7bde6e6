"""HuggingPlace adapter for the Payman agent platform SDK (``paymanai-sdk`` >= 1.0.8, < 2).

``PaymanInstrumentor().instrument()`` traces ``payman_sdk.PaymanClient``: an ``invoke_agent payman`` span
per ``ask`` (session, task and request ids, task status, platform error; the question and the artifact
text only under content capture) and a ``payman.oauth_token`` child span per token request, which never
records a token, a secret or the Basic credentials.
"""

from __future__ import annotations

from ._instrumentor import PaymanInstrumentor

__all__ = ["PaymanInstrumentor"]
