"""One mode of the instruction-count benchmark; run under callgrind by bench_instructions.py."""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_openai as bench
from _harness import Providers

WARMUP_CALLS = 5


def main() -> None:
    mode, scenario, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    providers = Providers()
    modes = {m.name: m for m in bench._modes(providers)}
    call = bench.scenarios(*bench._clients())[scenario]
    modes[mode].enable()

    def run(count: int) -> None:
        if scenario.endswith("_async"):
            async def calls_async() -> None:
                for _ in range(count):
                    await call()
            asyncio.run(calls_async())
        else:
            for _ in range(count):
                call()

    run(WARMUP_CALLS)  # the first calls import and build lazily; both runs of a pair make them
    # Move everything alive so far out of the collector's reach: a full collection of the start-up heap
    # (openai, pydantic) costs millions of instructions, and whether one falls among 40 calls is luck.
    # The calls' own garbage is still collected, and counted.
    gc.collect()
    gc.freeze()
    run(calls)
    assert mode == "uninstrumented" or providers.exporter.count >= WARMUP_CALLS + calls


if __name__ == "__main__":
    main()
