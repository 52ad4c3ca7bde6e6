"""PaymanInstrumentor: traces ``PaymanClient`` (paymanai-sdk >= 1.0.8, < 2; module ``payman_sdk``)."""

from __future__ import annotations

import weakref
from typing import Any

from huggingplace_sdk.engine import Engine, GenAIInstrumentor, Target

from ._ask import make_ask_wrapper, make_task_request_wrapper
from ._calls import PROVIDER
from ._oauth import make_token_wrapper
from ._patches import Patches

CLIENT_MODULE = "payman_sdk.client"


class PaymanInstrumentor(GenAIInstrumentor):
    """An ``invoke_agent payman`` span per ``ask``; the OAuth token request as a child span.

    Both are hooks rather than engine Targets: the SDK's errors can carry the token URL (with a refresh
    token or an authorization code in its query), so this adapter records errors itself, scrubbed.
    """

    provider = PROVIDER
    instruments = ("paymanai-sdk >= 1.0.8, < 2",)

    def targets(self) -> list[Target]:
        return []

    def _instrument(self, **kwargs: Any) -> None:
        super()._instrument(**kwargs)
        ref = weakref.ref(self)

        def engine() -> Engine | None:
            instrumentor = ref()
            return None if instrumentor is None else instrumentor.engine

        self._hooks = Patches()
        self._hooks.wrap(CLIENT_MODULE, "PaymanClient.ask", make_ask_wrapper(engine))
        self._hooks.wrap(CLIENT_MODULE, "PaymanClient._initialize_access_token", make_token_wrapper(engine))
        self._hooks.wrap(CLIENT_MODULE, "create_task_request", make_task_request_wrapper())

    def _uninstrument(self, **kwargs: Any) -> None:
        hooks: Patches | None = getattr(self, "_hooks", None)
        if hooks is not None:
            hooks.restore()
        super()._uninstrument(**kwargs)
