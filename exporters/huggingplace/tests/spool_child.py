"""Run by test_spool.py in a subprocess: export N interactions with a spool, report once spooled, then wait.

The test SIGKILLs this process while its worker is stuck sending (the server holds the request).
Usage: python spool_child.py BASE_URL API_KEY ORG_ID SPOOL_DIR N BATCH_FORMAT
"""

from __future__ import annotations

import sys
import time

from huggingplace_exporter import HuggingPlaceSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor


def main() -> None:
    base_url, api_key, org_id, spool_dir, count, batch_format = sys.argv[1:7]
    exporter = HuggingPlaceSpanExporter(
        api_key, org_id, base_url=base_url, spool_dir=spool_dir, late_child_wait=60.0, max_batch_size=5,
        atexit_timeout=0, batch_format=batch_format,
    )
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("spool-child")
    for i in range(int(count)):
        with tracer.start_as_current_span(
            "trace_step answer",
            attributes={"huggingplace.step.type": "agent", "huggingplace.step.user_question": f"question {i}",
                        "huggingplace.step.prompt_response": f"answer {i}"},
        ), tracer.start_as_current_span("chat m", attributes={"gen_ai.operation.name": "chat"}):
            pass
    exporter.force_flush(100)  # starts the send: every batch is written to the spool before the first POST
    deadline = time.monotonic() + 10
    while exporter.get_metrics()["spooled"] < int(count) and time.monotonic() < deadline:
        time.sleep(0.01)
    print(f"SPOOLED {exporter.get_metrics()['spooled']}", flush=True)
    time.sleep(600)  # killed before this ends


if __name__ == "__main__":
    main()
