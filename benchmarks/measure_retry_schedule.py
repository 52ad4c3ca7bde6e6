"""Measure the client's retry schedule against the real local server (not a test; figures for the notes).

Real sleeps, real loopback HTTP: 503 three times then 200; 429 with Retry-After in seconds and as an
HTTP date. The 503 script runs three times to show the jitter spread.
    uv run python benchmarks/measure_retry_schedule.py
"""

from __future__ import annotations

import email.utils
import time

from huggingplace_sdk import SyncHuggingPlace
from huggingplace_sdk.server import LocalServer

KEY = "hp-measure-key"


def timed_log(server: LocalServer, label: str) -> None:
    gaps: list[float] = []

    def sleep(seconds: float) -> None:
        gaps.append(seconds)
        time.sleep(seconds)

    client = SyncHuggingPlace(api_key=KEY, org_id="org", base_url=server.url, sleep=sleep)
    start = time.monotonic()
    client.log({"user_prompt": "q", "response": "a"})
    elapsed = time.monotonic() - start
    client.close()
    print(f"{label:<40} waits {[round(g, 3) for g in gaps]}  total {elapsed:.3f} s  "
          f"requests {server.requests_seen}")


def main() -> None:
    for run in range(3):
        with LocalServer(api_key=KEY) as server:
            server.faults.fail_next(3, status=503)
            timed_log(server, f"503 x3 then 200 (run {run + 1})")
    with LocalServer(api_key=KEY) as server:
        server.faults.fail_next(1, status=429, retry_after="1")
        timed_log(server, "429 Retry-After: 1")
    with LocalServer(api_key=KEY) as server:
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        server.faults.fail_next(1, status=429, retry_after=when)
        timed_log(server, "429 Retry-After: <HTTP date +2 s>")


if __name__ == "__main__":
    main()
