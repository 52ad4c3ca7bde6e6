"""Fixtures: the shared span capture, and no network but loopback for anything litellm does.

litellm is imported only after the guard is in place (its import fetches the model cost map unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set, which the root conftest does); a connection or a name lookup for any
other host raises and is recorded, and ``test_no_network.py`` proves nothing was attempted.
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from ._network_guard import install

install()

from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: E402,F401  (shared fixture)
