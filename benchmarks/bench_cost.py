"""Instructions added per OpenAI call by pricing it (valgrind callgrind), and the one-time table load.

Three modes of the same recorded gpt-3.5-turbo call through an in-process transport (bench_openai's
clients): uninstrumented; instrumented with pricing turned off (``Invocation._cost`` answers None); and
instrumented as shipped (priced from genai-prices). Each mode runs once with only the warm-up calls (which
also load the price table) and once with CALLS more; the difference divided by CALLS is the per-call count.
The table's one-time load is timed separately in a fresh process (CPU seconds, best of three).
    uv run python benchmarks/bench_cost.py [--modes=priced]
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

HERE = Path(__file__)
MODES = ("uninstrumented", "unpriced", "priced")
CALLS = 40
WARMUP_CALLS = 5


def child(mode: str, calls: int) -> None:
    import bench_openai as bench
    from _harness import Providers
    from huggingplace_instrumentation_openai import OpenAIInstrumentor

    from huggingplace_sdk._engine.invocation import Invocation

    providers = Providers()
    sync, _ = bench._clients()
    call = bench.scenarios(sync, _)["plain"]
    if mode != "uninstrumented":
        OpenAIInstrumentor().instrument(tracer_provider=providers.tracer_provider,
                                        meter_provider=providers.meter_provider)
    if mode == "unpriced":
        Invocation._cost = lambda self, exc: None  # type: ignore[method-assign]
    for _ in range(WARMUP_CALLS):
        call()
    gc.collect()
    gc.freeze()
    for _ in range(calls):
        call()


def instructions(mode: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", sys.executable, str(HERE),
             "--child", mode, str(calls)],
            capture_output=True, text=True, timeout=1800, env={**os.environ, "PYTHONHASHSEED": "0"})
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return int(re.findall(r"Collected : (\d+)", result.stderr)[-1])


def table_load_seconds() -> float:
    code = ("import time; from huggingplace_sdk._engine.cost import Pricer; t = time.process_time(); "
            "Pricer().price('openai', ('gpt-4o-mini',), {'gen_ai.usage.input_tokens': 10}); "
            "print(time.process_time() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return min(runs)


def main() -> None:
    modes = next((a[len("--modes="):].split(",") for a in sys.argv[1:] if a.startswith("--modes=")), MODES)
    jobs = [(m, n) for m in modes for n in (0, CALLS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: instructions(*job), jobs), strict=True))
    per_call = {m: (counts[(m, CALLS)] - counts[(m, 0)]) / CALLS for m in modes}
    if set(modes) != set(MODES):
        print(per_call)
        return
    base, unpriced, priced = per_call["uninstrumented"], per_call["unpriced"], per_call["priced"]
    print("instructions per plain OpenAI chat call (gpt-3.5-turbo, recorded response, in-process transport)")
    for mode in MODES:
        print(f"  {mode:15s} {per_call[mode]:>12,.0f}")
    print(f"pricing adds {priced - unpriced:,.0f} instructions per call: "
          f"{(priced - unpriced) / (unpriced - base):.1%} of the instrumentation's own added cost, "
          f"{(priced - unpriced) / base:.1%} of the uninstrumented call")
    started = time.perf_counter()
    load = table_load_seconds()
    print(f"one-time price table load on the first priced call: {load * 1000:.0f} ms CPU "
          f"(best of 3 fresh processes; measured in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
