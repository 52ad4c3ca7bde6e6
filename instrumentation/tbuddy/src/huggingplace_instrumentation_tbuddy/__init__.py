"""HuggingPlace adapter for the TBuddy platform SDK (``tbuddy`` >= 2.0, < 3, module ``TBuddy_SDK``).

``TBuddyInstrumentor().instrument()`` traces ``TBuddyClient``: an ``invoke_agent tbuddy`` span per
``submit_query``, a ``tbuddy.<method>`` span per session operation, a ``tbuddy.stream`` span per session
WebSocket with a ``tbuddy.agent <name>`` child span per platform agent, and the SDK's retries as events.
"""

from __future__ import annotations

from ._instrumentor import TBuddyInstrumentor

__all__ = ["TBuddyInstrumentor"]
