import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import fakevendor

from huggingplace_sdk.testing import SpanCapture


@pytest.fixture
def fake(span_capture: SpanCapture) -> Iterator[SpanCapture]:
    """The fake vendor instrumented into the test's span capture."""
    fakevendor.FakeInstrumentor.codec = fakevendor.FakeCodec()
    with span_capture.instrumented(fakevendor.FakeInstrumentor()):
        yield span_capture
