"""Run by test_atexit.py: export N interactions (held by a long late-child wait), then just exit.

Usage: python atexit_child.py BASE_URL API_KEY N ATEXIT_TIMEOUT_S
Prints "EXITING <monotonic time>" as main returns, so the parent can time the at-exit flush.
"""

from __future__ import annotations

import sys
import time

from huggingplace_exporter import HuggingPlaceSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor


def main() -> None:
    base_url, api_key, count, budget = sys.argv[1:5]
    exporter = HuggingPlaceSpanExporter(
        api_key, "org-atexit", base_url=base_url, late_child_wait=60.0, atexit_timeout=float(budget),
    )
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("atexit-child")
    for i in range(int(count)):
        with tracer.start_as_current_span(
            "trace_step answer", attributes={"huggingplace.step.type": "agent",
                                             "huggingplace.step.user_question": f"question {i}",
                                             "huggingplace.step.prompt_response": f"answer {i}"}
        ):
            pass
    print(f"EXITING {time.monotonic()}", flush=True)


if __name__ == "__main__":
    main()
