"""Instructions per OpenAI call (valgrind callgrind): a deterministic view of added cost on a noisy machine.

CPU time on a shared 2-core VM varies by ±25% between identical runs; instruction counts do not. Each
mode runs once with only the warm-up calls (start-up, imports, instrumentation, lazily built models) and once
with CALLS more; the difference divided by CALLS is the per-call count. Modes: uninstrumented, ours, the peer
and the SDK floor (benchmarks/_floor.py: the same span and metrics recorded with no logic at all). Run with the
peer installed for this run only:
    uv run --with opentelemetry-instrumentation-openai-v2==2.4b0 --with opentelemetry-util-genai==1.1b0 \\
        python benchmarks/bench_instructions.py [scenario ...]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import FLOOR, save, table

HERE = Path(__file__).parent
PEER = "openai-v2"
MODES = ("uninstrumented", "ours", PEER, FLOOR)
SCENARIOS = ("plain", "streamed", "plain_async")
SCENARIOS_RUN = tuple(a for a in sys.argv[1:] if not a.startswith("-")) or SCENARIOS
MODES_RUN = tuple(a[len("--modes="):].split(",") for a in sys.argv[1:] if a.startswith("--modes="))
CALLS = 40


def instructions(mode: str, scenario: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", sys.executable,
             str(HERE / "count_instructions.py"), mode, scenario, str(calls)],
            capture_output=True, text=True, timeout=1800,
            env={**os.environ, "PYTHONHASHSEED": "0"})  # the same dict layouts in both runs of a pair
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return int(re.findall(r"Collected : (\d+)", result.stderr)[-1])


def main() -> None:
    modes = MODES_RUN[0] if MODES_RUN else MODES
    jobs = [(m, s, n) for m in modes for s in SCENARIOS_RUN for n in (0, CALLS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: instructions(*job), jobs), strict=True))
    per_call = {s: {m: (counts[(m, s, CALLS)] - counts[(m, s, 0)]) / CALLS for m in modes} for s in SCENARIOS_RUN}
    print(f"saved {save('openai_instructions', {'calls': CALLS, 'per_call': per_call})}")
    if "uninstrumented" in modes and "ours" in modes:
        print(table("OpenAI chat completions: instructions added per call", per_call, "uninstrumented", "ours",
                    PEER if PEER in modes else None, unit="instr", scale=1, digits=0))
    else:
        print(per_call)


if __name__ == "__main__":
    main()
