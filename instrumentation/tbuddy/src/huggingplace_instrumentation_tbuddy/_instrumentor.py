"""TBuddyInstrumentor: traces ``TBuddyClient`` (tbuddy >= 2.0, < 3; module ``TBuddy_SDK``)."""

from __future__ import annotations

from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target

from ._codecs import PROVIDER, SessionCodec, SubmitQueryCodec
from ._plan import make_plan_wrapper
from ._retry import make_execute_wrapper
from ._stream import make_connect_wrapper

CLIENT_MODULE = "TBuddy_SDK.client"
SESSION_METHODS = (
    "get_status", "get_result", "get_session_memory", "get_conversation_history", "extend_session",
    "delete_session", "health_check",
)


class TBuddyInstrumentor(GenAIInstrumentor):
    """A span per ``submit_query`` and per session operation; the session stream and its agents as
    spans; the SDK's retries as events on the span of the call that retried."""

    provider = PROVIDER
    instruments = ("tbuddy >= 2.0, < 3",)

    def targets(self) -> list[Target | Hook]:
        targets: list[Target | Hook] = [
            Target(CLIENT_MODULE, "TBuddyClient.submit_query", SubmitQueryCodec(), is_async=True)]
        targets += [Target(CLIENT_MODULE, f"TBuddyClient.{method}", SessionCodec(method), is_async=True)
                    for method in SESSION_METHODS]
        targets += [
            Hook("TBuddy_SDK.retry", "RetryHandler.execute", make_execute_wrapper),
            Hook("TBuddy_SDK.rest_client", "RestClient.submit_query", make_plan_wrapper),
            Hook("TBuddy_SDK.websocket_client", "WebSocketClient.connect", make_connect_wrapper),
        ]
        return targets
