"""HuggingPlace adapter for the TBuddy platform SDK (``tbuddy`` >= 2.0, < 3, module ``TBuddy_SDK``).

``TBuddyInstrumentor().instrument()`` traces ``TBuddyClient``: an ``invoke_agent tbuddy`` span per
``submit_query``, a ``tbuddy.<method>`` span per session operation, a ``tbuddy.stream`` span per session
WebSocket with a ``tbuddy.agent <name>`` child span per platform agent, and the SDK's retries as events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("TBuddy_SDK",)

__all__ = ["TBuddyInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_tbuddy._instrumentor import TBuddyInstrumentor

__getattr__ = lazy_exports(__name__, TBuddyInstrumentor="._instrumentor")
