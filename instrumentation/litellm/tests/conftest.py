"""Fixtures: the shared span capture, and no network but loopback for anything litellm does.

litellm is imported only after the guard is in place (its import fetches the model cost map unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set, which the root conftest does); a connection or a name lookup for any
other host raises and is recorded, and every test fails if anything was attempted during it.
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from ._network_guard import install

install()

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from huggingplace_sdk.testing.pytest_plugin import span_capture  # noqa: E402,F401  (shared fixture)

from ._network_guard import ATTEMPTS  # noqa: E402


@pytest.fixture(autouse=True)
def no_network_but_loopback() -> Iterator[None]:
    """Fails any test during which something (litellm included) tried to reach another host."""
    before = len(ATTEMPTS)
    yield
    assert ATTEMPTS[before:] == [], f"network attempts: {ATTEMPTS[before:]}"
