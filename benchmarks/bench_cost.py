"""Instructions added per OpenAI call by pricing it (valgrind callgrind), and the one-time table load.

Three modes of the same recorded gpt-3.5-turbo call through an in-process transport (bench_openai's
clients): uninstrumented; instrumented with pricing turned off (``Invocation._cost`` answers None); and
instrumented as shipped (priced from genai-prices). Each mode runs once with only the warm-up calls (which
also load the price table) and once with CALLS more; the difference divided by CALLS is the per-call count.
The first priced call of a fresh process is timed separately (CPU ms, median of several processes), with
genai-prices forced (as before the price index) and with the index: flat models (gpt-4o-mini, claude) and a
complex one (gemini-2.5-pro, tiered: loads genai-prices either way).
    uv run python benchmarks/bench_cost.py [--modes=priced | --first-call [--no-bytecode]]
"""

from __future__ import annotations

import gc
import os
import re
import statistics
import subprocess
import sys
import tempfile
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


FIRST_CALL_PROCESSES = 7
_FIRST_CALL = """
import time{preload}
from huggingplace_sdk._engine import cost, price_index
if {force_table}:
    price_index.current = lambda: None  # as before the index: every call asks genai-prices
started = time.process_time()
priced = cost.Pricer().price({provider!r}, ({model!r},), {{"gen_ai.usage.input_tokens": 10}})
print(time.process_time() - started, priced.status)
"""


def first_call_ms(provider: str, model: str, *, force_table: bool, preload: str, env: dict[str, str]) -> float:
    """CPU ms of the first priced call in a fresh process (median of FIRST_CALL_PROCESSES processes)."""
    code = _FIRST_CALL.format(preload=f"; import {preload}" if preload else "", force_table=force_table,
                              provider=provider, model=model)

    def once() -> float:
        seconds, status = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                         check=True).stdout.split()
        assert status == "priced", status
        return float(seconds) * 1000

    once()  # writes the bytecode (when it is written) and warms the file cache; not counted
    return statistics.median(once() for _ in range(FIRST_CALL_PROCESSES))


def print_first_calls(bytecode: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cost-pycache-") as pycache:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
        env.update({"PYTHONPYCACHEPREFIX": pycache} if bytecode else {"PYTHONDONTWRITEBYTECODE": "1"})
        compiled = "cached bytecode" if bytecode else "no bytecode: every module compiled"
        print(f"first priced call in a fresh process, CPU ms (median of {FIRST_CALL_PROCESSES} processes, "
              f"{compiled}): genai-prices loaded (before) vs the price index (after)")
        for provider, model, preload in (("openai", "gpt-4o-mini", ""), ("openai", "gpt-4o-mini", "openai"),
                                         ("anthropic", "claude-3-5-sonnet-20240620", "anthropic"),
                                         ("gcp.gemini", "gemini-2.5-pro", "")):
            before = first_call_ms(provider, model, force_table=True, preload=preload, env=env)
            after = first_call_ms(provider, model, force_table=False, preload=preload, env=env)
            where = f"after import {preload}" if preload else "bare process"
            print(f"  {provider:10s} {model:28s} {where:22s} before {before:6.1f}  after {after:6.1f}  "
                  f"ratio {after / before:.3f}")


def main() -> None:
    if "--first-call" in sys.argv[1:]:
        print_first_calls(bytecode="--no-bytecode" not in sys.argv[1:])
        return
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
    print_first_calls(bytecode=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
