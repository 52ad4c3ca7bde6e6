"""ConversimpleInstrumentor: traces ``ConversimpleAgent`` (conversimple-sdk >= 0.2.4, < 0.3)."""

from __future__ import annotations

from typing import Any

from huggingplace_sdk.engine import GenAIInstrumentor, Hook, Target, guarded

from ._calls import PROVIDER
from ._connection import (
    make_connection_event_wrapper,
    make_error_notification_wrapper,
    make_reconnect_wrapper,
    make_reply_wrapper,
)
from ._conversations import (
    ENDED_UNINSTRUMENTED,
    end_every_conversation,
    make_agent_start_wrapper,
    make_ended_wrapper,
    make_ready_wrapper,
    make_started_wrapper,
    make_stop_wrapper,
)
from ._tools import make_execute_wrapper, make_send_error_wrapper, make_tool_call_wrapper

AGENT = "conversimple.agent"
CONNECTION = "conversimple.connection"


class ConversimpleInstrumentor(GenAIInstrumentor):
    """A conversation span per conversation, an ``execute_tool`` span per tool call within it, and the
    connection's reconnects and the platform's errors as events.

    Everything here is driven by platform messages arriving in the SDK's background tasks, so the
    adapter hooks the agent's handlers (engine Hooks) rather than declaring codec Targets.
    """

    provider = PROVIDER
    instruments = ("conversimple-sdk >= 0.2.4, < 0.3",)

    def targets(self) -> list[Target | Hook]:
        return [
            Hook(AGENT, "ConversimpleAgent._handle_conversation_lifecycle", make_started_wrapper),
            Hook(AGENT, "ConversimpleAgent._handle_conversation_ready", make_ready_wrapper),
            Hook(AGENT, "ConversimpleAgent.start", make_agent_start_wrapper),
            Hook(AGENT, "ConversimpleAgent._notify_conversation_ended", make_ended_wrapper),
            Hook(AGENT, "ConversimpleAgent.stop", make_stop_wrapper),
            Hook(AGENT, "ConversimpleAgent._handle_tool_call_request", make_tool_call_wrapper),
            Hook(AGENT, "ConversimpleAgent._send_tool_error", make_send_error_wrapper),
            Hook("conversimple.tools", "ToolRegistry.execute_tool", make_execute_wrapper),
            Hook(AGENT, "ConversimpleAgent._handle_connection_event", make_connection_event_wrapper),
            Hook(AGENT, "ConversimpleAgent._handle_error_notification", make_error_notification_wrapper),
            Hook(CONNECTION, "WebSocketConnection._attempt_reconnection", make_reconnect_wrapper),
            Hook(CONNECTION, "WebSocketConnection._handle_websocket_reply", make_reply_wrapper),
        ]

    def _uninstrument(self, **kwargs: Any) -> None:
        super()._uninstrument(**kwargs)
        guarded("conversimple.uninstrument", end_every_conversation, ENDED_UNINSTRUMENTED)
