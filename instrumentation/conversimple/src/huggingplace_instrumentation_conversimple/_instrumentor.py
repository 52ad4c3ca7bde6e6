"""ConversimpleInstrumentor: traces ``ConversimpleAgent`` (conversimple-sdk >= 0.2.4, < 0.3)."""

from __future__ import annotations

import weakref
from typing import Any

from huggingplace_sdk.engine import Engine, GenAIInstrumentor, Target

from ._calls import PROVIDER
from ._connection import (
    make_connection_event_wrapper,
    make_error_notification_wrapper,
    make_reconnect_wrapper,
    make_reply_wrapper,
)
from ._conversations import (
    make_agent_start_wrapper,
    make_ended_wrapper,
    make_started_wrapper,
    make_stop_wrapper,
)
from ._patches import Patches
from ._tools import make_execute_wrapper, make_send_error_wrapper, make_tool_call_wrapper

AGENT = "conversimple.agent"
CONNECTION = "conversimple.connection"


class ConversimpleInstrumentor(GenAIInstrumentor):
    """A conversation span per conversation, an ``execute_tool`` span per tool call within it, and the
    connection's reconnects and the platform's errors as events.

    Everything here is driven by platform messages arriving in the SDK's background tasks, so the
    adapter hooks the agent's handlers (wrapt, restored by identity) rather than declaring Targets.
    """

    provider = PROVIDER
    instruments = ("conversimple-sdk >= 0.2.4, < 0.3",)

    def targets(self) -> list[Target]:
        return []

    def _instrument(self, **kwargs: Any) -> None:
        super()._instrument(**kwargs)
        ref = weakref.ref(self)

        def engine() -> Engine | None:
            instrumentor = ref()
            return None if instrumentor is None else instrumentor.engine

        hooks = self._hooks = Patches()
        hooks.wrap(AGENT, "ConversimpleAgent._handle_conversation_lifecycle",
                   make_started_wrapper(engine, lifecycle=True))
        hooks.wrap(AGENT, "ConversimpleAgent._handle_conversation_ready",
                   make_started_wrapper(engine, lifecycle=False))
        hooks.wrap(AGENT, "ConversimpleAgent.start", make_agent_start_wrapper(engine))
        hooks.wrap(AGENT, "ConversimpleAgent._notify_conversation_ended", make_ended_wrapper(engine))
        hooks.wrap(AGENT, "ConversimpleAgent.stop", make_stop_wrapper(engine))
        hooks.wrap(AGENT, "ConversimpleAgent._handle_tool_call_request", make_tool_call_wrapper(engine))
        hooks.wrap(AGENT, "ConversimpleAgent._send_tool_error", make_send_error_wrapper())
        hooks.wrap("conversimple.tools", "ToolRegistry.execute_tool", make_execute_wrapper())
        hooks.wrap(AGENT, "ConversimpleAgent._handle_connection_event", make_connection_event_wrapper(engine))
        hooks.wrap(AGENT, "ConversimpleAgent._handle_error_notification", make_error_notification_wrapper(engine))
        hooks.wrap(CONNECTION, "WebSocketConnection._attempt_reconnection", make_reconnect_wrapper(engine))
        hooks.wrap(CONNECTION, "WebSocketConnection._handle_websocket_reply", make_reply_wrapper(engine))

    def _uninstrument(self, **kwargs: Any) -> None:
        hooks: Patches | None = getattr(self, "_hooks", None)
        if hooks is not None:
            hooks.restore()
        super()._uninstrument(**kwargs)
