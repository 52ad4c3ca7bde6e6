"""Fixtures: the adapter for the kit's ``instrumented`` and the fake Payman platform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from huggingplace_instrumentation_payman import PaymanInstrumentor

from .payman_fake import TEST_CREDENTIALS, FakePayman


@pytest.fixture
def instrumentor() -> PaymanInstrumentor:
    """What the kit's ``instrumented`` fixture instruments into ``span_capture``."""
    return PaymanInstrumentor()


@pytest.fixture
def fake() -> Iterator[Any]:
    creds = TEST_CREDENTIALS
    with FakePayman(creds.client_id, creds.client_secret, creds.access_token,
                                creds.refresh_token) as server:
        yield server


@pytest.fixture
def live_base_url(fake: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Clients that fetch a token while being constructed need the fake before they exist."""
    import payman_sdk.client

    monkeypatch.setitem(payman_sdk.client.BASE_URLS, "LIVE", fake.base_url)
    return str(fake.base_url)


@pytest.fixture
def client(fake: Any) -> Any:
    from payman_sdk import PaymanClient

    creds = TEST_CREDENTIALS
    payman = PaymanClient.with_credentials({"client_id": creds.client_id, "client_secret": creds.client_secret})
    payman.base_url = fake.base_url
    return payman
