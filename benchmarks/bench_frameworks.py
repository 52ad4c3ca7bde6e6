"""Added cost per framework step: LangChain runs and Agents SDK spans, uninstrumented vs ours vs a peer.

Run (the peers are installed only for this run):
    uv run --with openinference-instrumentation-langchain --with openinference-instrumentation-openai-agents \
        python benchmarks/bench_frameworks.py [--quick]

No model is called: the chain is five RunnableLambda steps (six runs with the sequence), and the Agents SDK
workload is a trace with five custom spans (six spans). So the figure is the framework's own callback or
processor path plus the instrumentation's, per step (CPU time, interleaved rounds: see _harness.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Mode, Providers, instrumented_modes, measure, save, table
from huggingplace_instrumentation_langchain import LangChainInstrumentor
from huggingplace_instrumentation_openai_agents import OpenAIAgentsInstrumentor

STEPS = 6  # runs (or spans) per call in both workloads


FRAMEWORK_FLOOR = "no-op handler"


def _langchain_modes(providers: Providers) -> list[Mode]:
    """Plus a floor: a handler that does nothing, injected the same way. What it adds is LangChain's own cost
    of reporting runs to any handler (serializing run inputs, run managers), which every instrumentation pays."""
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.callbacks.base import BaseCallbackManager

    def load_peer() -> Any:
        from openinference.instrumentation.langchain import LangChainInstrumentor as Peer

        return Peer()

    modes = instrumented_modes(providers, LangChainInstrumentor(), "openinference", load_peer,
                               "run with --with openinference-instrumentation-langchain (see docstring)")
    class CountingHandler(BaseCallbackHandler):
        runs = 0

        def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
            self.runs += 1

    handler = CountingHandler()
    original = BaseCallbackManager.__init__

    def init_with_handler(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.add_handler(handler, inherit=True)

    def enable() -> None:
        BaseCallbackManager.__init__ = init_with_handler  # type: ignore[method-assign]

    def disable() -> None:
        BaseCallbackManager.__init__ = original  # type: ignore[method-assign]

    modes.append(Mode(FRAMEWORK_FLOOR, enable, disable, lambda: handler.runs))
    return modes


def _agents_modes(providers: Providers) -> list[Mode]:
    def load_peer() -> Any:
        from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor as Peer

        return Peer()

    return instrumented_modes(providers, OpenAIAgentsInstrumentor(), "openinference", load_peer,
                              "run with --with openinference-instrumentation-openai-agents (see docstring)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    calls, rounds = (100, 5) if args.quick else (300, 15)

    from agents import custom_span, set_trace_processors, trace
    from langchain_core.runnables import RunnableLambda

    set_trace_processors([])  # the SDK's own exporter would post to OpenAI
    chain = RunnableLambda(lambda x: x + 1)
    for _ in range(4):
        chain = chain | RunnableLambda(lambda x: x + 1)

    def run_chain() -> Any:
        return chain.invoke(0)

    def run_agents_trace() -> None:
        with trace("bench"):
            for index in range(5):
                with custom_span(f"step {index}"):
                    pass

    rows = {"LangChain: 5-step chain (6 runs)": measure(_langchain_modes(Providers()), run_chain, calls=calls,
                                                           rounds=rounds),
            "Agents SDK: trace with 5 spans (6)": measure(_agents_modes(Providers()), run_agents_trace, calls=calls,
                                                            rounds=rounds)}
    per_step = {scenario: {mode: value / STEPS for mode, value in result.items()} for scenario, result in rows.items()}
    peer = "openinference" if all("openinference" in result for result in rows.values()) else None
    print(table("Frameworks: added CPU cost per step (run or span)", per_step, "uninstrumented", "ours", peer))
    langchain = per_step["LangChain: 5-step chain (6 runs)"]
    floor = langchain[FRAMEWORK_FLOOR] - langchain["uninstrumented"]
    print(f"\nLangChain with a no-op handler adds {floor * 1e6:.1f} µs per run (its own callback path); above it, "
          f"ours adds {(langchain['ours'] - langchain[FRAMEWORK_FLOOR]) * 1e6:.1f} µs"
          + (f", openinference {(langchain['openinference'] - langchain[FRAMEWORK_FLOOR]) * 1e6:.1f} µs"
             if peer else ""))
    path = save("frameworks", {"per_call": rows, "per_step": per_step, "steps_per_call": STEPS})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
