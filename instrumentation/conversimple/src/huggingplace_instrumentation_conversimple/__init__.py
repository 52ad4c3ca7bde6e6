"""HuggingPlace adapter for the Conversimple voice-agent platform SDK (``conversimple-sdk`` >= 0.2.4, < 0.3).

``ConversimpleInstrumentor().instrument()`` traces ``conversimple.ConversimpleAgent``: a
``conversimple.conversation`` span from conversation start to end (the conversation id as ``session.id``),
an ``execute_tool {name}`` child span per tool call the platform requests (arguments and result only under
content capture), and reconnect attempts, connection state changes and platform errors as events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("conversimple",)

__all__ = ["ConversimpleInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_conversimple._instrumentor import ConversimpleInstrumentor

__getattr__ = lazy_exports(__name__, ConversimpleInstrumentor="._instrumentor")
