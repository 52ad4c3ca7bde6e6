"""PaymanInstrumentor: traces ``PaymanClient`` (paymanai-sdk >= 1.0.8, < 2; module ``payman_sdk``)."""

from __future__ import annotations

from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target

from ._ask import make_ask_wrapper, make_task_request_wrapper
from ._calls import PROVIDER
from ._oauth import make_token_wrapper

CLIENT_MODULE = "payman_sdk.client"


class PaymanInstrumentor(GenAIInstrumentor):
    """An ``invoke_agent payman`` span per ``ask``; the OAuth token request as a child span.

    Both are Hooks rather than codec Targets: the SDK's errors can carry the token URL (with a refresh
    token or an authorization code in its query), so this adapter records errors itself, scrubbed.
    """

    provider = PROVIDER
    instruments = ("paymanai-sdk >= 1.0.8, < 2",)

    def targets(self) -> list[Target | Hook]:
        return [
            Hook(CLIENT_MODULE, "PaymanClient.ask", make_ask_wrapper),
            Hook(CLIENT_MODULE, "PaymanClient._initialize_access_token", make_token_wrapper),
            Hook(CLIENT_MODULE, "create_task_request", make_task_request_wrapper),
        ]
