"""Quick start: log LLM interactions with the HuggingPlace client, then look at what was stored.

Runs against a local HuggingPlace server on a temporary SQLite file, so it needs no account:

    uv run python examples/quickstart.py

Against the real service you would only build the client differently:
``HuggingPlace(api_key=..., org_id=...)`` or ``HuggingPlace.from_env()``.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import httpx

from huggingplace_sdk import HuggingPlace
from huggingplace_sdk.server import DEFAULT_DEV_API_KEY, LocalServer


async def send_logs(base_url: str) -> list[str]:
    """One plain log, then a session holding two logs and a step. Returns the message ids."""
    async with HuggingPlace(api_key=DEFAULT_DEV_API_KEY, org_id="quickstart", base_url=base_url) as hp:
        first = await hp.log(
            {
                "user_prompt": "What is HuggingPlace?",
                "response": "A logging service for LLM applications.",
                "llm_model": "gpt-4o-mini",
                "token_count": 23,
                "response_time": 0.42,
            }
        )
        session = hp.start_session(metadata={"app": "quickstart"}, user_metadata={"plan": "free"})
        second = await session.log(user_prompt="Plan a weekend in Lisbon.", response="Day 1: Alfama ...")
        third = await session.log(user_prompt="Make day 2 rainy-day friendly.", response="Tile museum ...")
        step = await session.log_step(
            {
                "user_question": "Which museums are open on Sundays?",
                "prompt_response": "The tile museum and the Gulbenkian.",
                "llm_model": "gpt-4o-mini",
                "token": 57,
                "response_time": 0.31,
            }
        )
    return [answer["message_id"] for answer in (first, second, third, step)]


def show_stored(base_url: str) -> int:
    """Print every session and its logs, read over the server's read API. Returns the number of logs."""
    headers = {"Authorization": f"Bearer {DEFAULT_DEV_API_KEY}"}
    with httpx.Client(base_url=base_url, headers=headers) as http:
        logs = http.get("/v1/logs").raise_for_status().json()["logs"]
        for session in http.get("/v1/sessions").raise_for_status().json()["sessions"]:
            print(f"session {session['session_id']}: {session['log_count']} logs")
    for log in logs:
        where = log.get("session_id", "no session")
        print(f"  [{where}] {log['user_prompt']!r} -> {log['ai_response']!r}")
    return len(logs)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, LocalServer(db_path=Path(folder) / "hp.sqlite3") as server:
        sent = asyncio.run(send_logs(server.url))
        print(f"sent {len(sent)} logs to {server.url}")
        stored = show_stored(server.url)
    print(f"stored {stored} logs")


if __name__ == "__main__":
    main()
