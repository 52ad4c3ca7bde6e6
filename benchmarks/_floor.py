"""The SDK floor: the cheapest code that records what our OpenAI adapter records for the benchmark's calls.

It wraps ``chat.completions.create`` with no reading logic, no guards and no generality: start attributes are a
constant, end attributes are read straight off the response, the span is made current for the call (as ours
and the peer do, so that HTTP spans nest under it) and the same metrics are recorded. Whatever an
instrumentation costs above this mode is its own code; what this mode costs above the uninstrumented run is
the OpenTelemetry SDK's price for the data alone, which no instrumentation emitting that data can avoid.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from importlib import metadata
from typing import Any

import wrapt
from opentelemetry import context, trace
from opentelemetry.metrics import MeterProvider, Observation
from opentelemetry.trace import SpanKind, TracerProvider
from opentelemetry.util.types import AttributeValue

_MODULE = "openai.resources.chat.completions"
_METRIC_ATTRS: dict[str, AttributeValue] = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                 "gen_ai.request.model": "gpt-3.5-turbo", "gen_ai.response.model": "gpt-3.5-turbo-0125",
                 "server.address": "bench.local", "server.port": 80}
_INPUT: dict[str, AttributeValue] = {**_METRIC_ATTRS, "gen_ai.token.type": "input"}
_OUTPUT: dict[str, AttributeValue] = {**_METRIC_ATTRS, "gen_ai.token.type": "output"}


class FloorInstrumentor:
    """Same ``instrument``/``uninstrument`` shape as the real instrumentors, for the benchmark harness."""

    def instrument(self, *, tracer_provider: TracerProvider, meter_provider: MeterProvider) -> None:
        tracer = tracer_provider.get_tracer("floor")
        meter = meter_provider.get_meter("floor")
        duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
        tokens = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
        ttfc = meter.create_histogram("gen_ai.client.operation.time_to_first_chunk", unit="s")
        per_chunk = meter.create_histogram("gen_ai.client.operation.time_per_output_chunk", unit="s")
        # The recorded call's cost, written out (what ours computes): the SDK's part is recording it.
        priced = {"huggingplace.usage.cost.status": "priced", "huggingplace.usage.cost.amount": 0.000036,
                  "huggingplace.usage.cost.currency": "USD", "huggingplace.usage.cost.source": "local",
                  "huggingplace.usage.cost.input": 0.0000075, "huggingplace.usage.cost.output": 0.0000285,
                  "huggingplace.usage.cost.price_source": f"genai-prices {metadata.version('genai-prices')}",
                  "huggingplace.usage.cost.price_provider": "openai",
                  "huggingplace.usage.cost.price_model": "gpt-3.5-turbo"}
        unpriced = {"huggingplace.usage.cost.status": "unpriced",
                    "huggingplace.usage.cost.unpriced_reason": "usage_absent"}
        spend: dict[str, float] = {}

        def observe_spend(options: Any) -> Iterator[Observation]:
            for model, total in list(spend.items()):
                yield Observation(total, {"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-3.5-turbo",
                                          "gen_ai.response.model": model})

        meter.create_observable_counter("huggingplace.gen_ai.client.cost", callbacks=[observe_spend], unit="USD")

        class Tally:
            """What a stream has shown so far; ``add`` runs once per chunk."""

            def __init__(self, span: Any, start: float) -> None:
                self.span, self.start = span, start
                self.first: float | None = None
                self.last: float | None = None
                self.count = 0
                self.response: dict[str, Any] = {}

            def add(self, chunk: Any) -> None:
                self.last = time.perf_counter()
                if self.first is None:
                    self.first = self.last
                    self.response = {"openai.response.system_fingerprint": chunk.system_fingerprint,
                                     "gen_ai.response.id": chunk.id, "gen_ai.response.model": chunk.model}
                self.count += 1
                for choice in chunk.choices:
                    if choice.finish_reason:
                        self.response["gen_ai.response.finish_reasons"] = [choice.finish_reason]

            def end(self) -> None:
                end, first, last, span = time.perf_counter(), self.first, self.last, self.span
                span.set_attributes({**self.response, "huggingplace.usage.source": "absent",
                                     "gen_ai.response.time_to_first_chunk": (first or end) - self.start,
                                     "huggingplace.stream.outcome": "completed",
                                     "huggingplace.stream.chunk_count": self.count, **unpriced})
                ctx = trace.set_span_in_context(span)  # exemplars point at the call's span, as ours do
                duration.record(end - self.start, _METRIC_ATTRS, ctx)
                ttfc.record((first or end) - self.start, _METRIC_ATTRS, ctx)
                if self.count > 1 and first is not None and last is not None:
                    per_chunk.record((last - first) / (self.count - 1), _METRIC_ATTRS, ctx)
                span.end()

        def observe(stream: Any, span: Any, start: float) -> None:
            inner, tally = stream._iterator, Tally(span, start)

            def chunks() -> Iterator[Any]:
                for chunk in inner:
                    tally.add(chunk)
                    yield chunk
                tally.end()

            stream._iterator = chunks()

        def observe_async(stream: Any, span: Any, start: float) -> None:
            inner, tally = stream._iterator, Tally(span, start)

            async def chunks() -> AsyncIterator[Any]:
                async for chunk in inner:
                    tally.add(chunk)
                    yield chunk
                tally.end()

            stream._iterator = chunks()

        def begin(kwargs: Any) -> tuple[Any, float, object]:
            span = tracer.start_span("chat gpt-3.5-turbo", kind=SpanKind.CLIENT, attributes={
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-3.5-turbo", "gen_ai.request.stream": bool(kwargs.get("stream")),
                "server.address": "bench.local", "server.port": 80})
            return span, time.perf_counter(), context.attach(trace.set_span_in_context(span))

        def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            span, start, token = begin(kwargs)
            try:
                result = wrapped(*args, **kwargs)
            finally:
                context.detach(token)  # type: ignore[arg-type]
            if kwargs.get("stream"):
                observe(result, span, start)
                return result
            return finish(result, span, start)

        async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            span, start, token = begin(kwargs)
            try:
                result = await wrapped(*args, **kwargs)
            finally:
                context.detach(token)  # type: ignore[arg-type]
            if kwargs.get("stream"):
                observe_async(result, span, start)
                return result
            return finish(result, span, start)

        def finish(result: Any, span: Any, start: float) -> Any:
            usage = result.usage
            span.set_attributes({
                "openai.response.system_fingerprint": result.system_fingerprint,
                "huggingplace.usage.source": "provider", "gen_ai.response.id": result.id,
                "gen_ai.response.model": result.model,
                "gen_ai.response.finish_reasons": [c.finish_reason for c in result.choices],
                "gen_ai.usage.input_tokens": usage.prompt_tokens,
                "gen_ai.usage.output_tokens": usage.completion_tokens, **priced})
            spend[result.model] = spend.get(result.model, 0.0) + 0.000036
            ctx = trace.set_span_in_context(span)
            duration.record(time.perf_counter() - start, _METRIC_ATTRS, ctx)
            tokens.record(usage.prompt_tokens, _INPUT, ctx)
            tokens.record(usage.completion_tokens, _OUTPUT, ctx)
            span.end()
            return result

        wrapt.wrap_function_wrapper(_MODULE, "Completions.create", wrapper)
        wrapt.wrap_function_wrapper(_MODULE, "AsyncCompletions.create", async_wrapper)

    def uninstrument(self) -> None:
        import openai.resources.chat.completions as module

        for cls in (module.Completions, module.AsyncCompletions):
            cls.create = vars(cls)["create"].__wrapped__  # type: ignore[method-assign]
