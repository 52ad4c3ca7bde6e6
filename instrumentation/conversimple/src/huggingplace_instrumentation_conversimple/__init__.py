"""HuggingPlace adapter for the Conversimple voice-agent platform SDK (``conversimple-sdk`` >= 0.2.4, < 0.3).

``ConversimpleInstrumentor().instrument()`` traces ``conversimple.ConversimpleAgent``: a
``conversimple.conversation`` span from conversation start to end (the conversation id as ``session.id``),
an ``execute_tool {name}`` child span per tool call the platform requests (arguments and result only under
content capture), and reconnect attempts, connection state changes and platform errors as events.
"""

from __future__ import annotations

from ._instrumentor import ConversimpleInstrumentor

__all__ = ["ConversimpleInstrumentor"]
