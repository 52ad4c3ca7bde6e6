"""The credential scan every adapter's tests end with: no secret value anywhere a span can carry text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from opentelemetry.sdk.trace import ReadableSpan


def _texts(span: ReadableSpan) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text the span exports."""
    yield "name", span.name
    yield "attributes", str(dict(span.attributes or {}))
    yield "status", str(span.status.description)
    for index, event in enumerate(span.events):
        yield f"event #{index}", f"{event.name} {dict(event.attributes or {})}"
    for link in span.links:
        yield "link", str(dict(link.attributes or {}))


def assert_no_secret_in_spans(spans: Iterable[ReadableSpan], secrets: Iterable[str]) -> int:
    """Fail naming the span and the place where any of ``secrets`` appears; returns how many spans were read.

    Checks span names, attributes, status descriptions, event names and attributes and link attributes.
    """
    values = [secret for secret in secrets if secret]
    assert values, "no secret to look for: the scan could not fail"
    count = 0
    for span in spans:
        # The message names secrets by position, and a span by name only if that holds none: never printed.
        label = f"span #{count}" + ("" if any(s in span.name for s in values) else f" {span.name!r}")
        count += 1
        for where, text in _texts(span):
            for position, secret in enumerate(values):
                assert secret not in text, f"secret #{position} found in {where} of {label}"
    return count
