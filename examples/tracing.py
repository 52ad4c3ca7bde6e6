"""instrument(), session() and trace_step() around real OpenAI client calls, printed as a trace tree.

Runs offline: a small OpenAI-compatible stub answers on 127.0.0.1, and the real `openai` client talks to
it. Point the client at the real API (drop base_url, set OPENAI_API_KEY) and nothing else changes.

    uv run python examples/tracing.py
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai

import huggingplace_sdk as hp

COMPLETION = {
    "id": "chatcmpl-example-1", "object": "chat.completion", "created": 1730000000, "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "OpenTelemetry walks into a bar. It traces the tab."}}],
    "usage": {"prompt_tokens": 21, "completion_tokens": 13, "total_tokens": 34},
}
CHUNKS = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Spans "}, "finish_reason": None}]},
    {"choices": [{"index": 0, "delta": {"content": "all the way down."}, "finish_reason": None}]},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    {"choices": [], "usage": {"prompt_tokens": 18, "completion_tokens": 6, "total_tokens": 24}},
]


class StubOpenAI(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not request.get("stream"):
            body = json.dumps(COMPLETION).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        envelope = {"id": "chatcmpl-example-2", "object": "chat.completion.chunk", "created": 1730000001,
                    "model": "gpt-4o-mini-2024-07-18"}
        events = b"".join(b"data: " + json.dumps({**envelope, **chunk}).encode() + b"\n\n" for chunk in CHUNKS)
        events += b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(events)))
        self.end_headers()
        self.wfile.write(events)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = openai.OpenAI(api_key="sk-example", base_url=f"http://127.0.0.1:{server.server_port}/v1")

    # Once, at start-up: every installed adapter whose vendor library is present, plus a console trace tree.
    # With OTEL_EXPORTER_OTLP_ENDPOINT set, spans also go to Jaeger or any OTLP backend; with
    # HUGGINGPLACE_API_KEY and HUGGINGPLACE_ORG_ID set, to HuggingPlace.
    tracing = hp.instrument(console=True, service_name="joke-bot")

    with hp.session("session-42", user_id="user-7", plan="free"), hp.trace_step("answer", type="agent") as step:
        step.user_question = "Tell me a joke about OpenTelemetry"
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": step.user_question}])
        with hp.trace_step("lookup_joke_rating", type="tool"):
            rating = 4
        stream = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "And a shorter one?"}],
            stream=True, stream_options={"include_usage": True})
        short = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        step.prompt_response = f"{reply.choices[0].message.content} / {short} (rating {rating})"

    print(step.prompt_response)
    tracing.shutdown()
    server.shutdown()


if __name__ == "__main__":
    main()
