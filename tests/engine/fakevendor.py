"""A tiny vendor SDK shaped like the Stainless ones (stream objects with ``_iterator``), for engine tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk.engine import Call, GenAIInstrumentor, Recorder, Request, Target


@dataclass
class Response:
    id: str
    model: str
    choices: list[dict[str, Any]]
    usage: dict[str, int] | None = None


@dataclass
class Chunk:
    id: str
    model: str
    index: int = 0
    text: str = ""
    finish_reason: str | None = None
    usage: dict[str, int] | None = None
    tool_call: dict[str, Any] | None = None
    usage_only: bool = False


class VendorError(Exception):
    pass


class Stream:
    def __init__(self, chunks: list[Chunk], fail_after: int | None = None) -> None:
        self.closed = False
        self._iterator = self._events(chunks, fail_after)

    def _events(self, chunks: list[Chunk], fail_after: int | None) -> Any:
        for position, chunk in enumerate(chunks):
            if fail_after is not None and position == fail_after:
                raise VendorError("connection cut mid-stream")
            yield chunk

    def __iter__(self) -> Any:
        for item in self._iterator:  # noqa: UP028 - like openai: no close() forwarding into the inner iterator
            yield item

    def __next__(self) -> Chunk:
        return self._iterator.__next__()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.closed = True


class AsyncStream:
    def __init__(self, chunks: list[Chunk], fail_after: int | None = None, stall_after: int | None = None) -> None:
        self.closed = False
        self._iterator = self._events(chunks, fail_after, stall_after)

    async def _events(self, chunks: list[Chunk], fail_after: int | None, stall_after: int | None) -> Any:
        for position, chunk in enumerate(chunks):
            if fail_after is not None and position == fail_after:
                raise VendorError("connection cut mid-stream")
            if stall_after is not None and position == stall_after:
                await asyncio.Event().wait()
            await asyncio.sleep(0)
            yield chunk

    def __aiter__(self) -> Any:
        return self._iterate()

    async def _iterate(self) -> Any:
        async for item in self._iterator:
            yield item

    async def __anext__(self) -> Chunk:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        self.closed = True


def default_chunks(model: str = "org/fake-model-1", usage: bool = True, n: int = 1) -> list[Chunk]:
    chunks = [Chunk("resp-1", model, index=i, text=t) for t in ("Hel", "lo") for i in range(n)]
    chunks += [Chunk("resp-1", model, index=i, finish_reason="stop" if i == 0 else "length") for i in range(n)]
    if usage:
        chunks.append(Chunk("resp-1", model, usage={"input": 7, "output": 5}, usage_only=True))
    return chunks


class Completions:
    def create(self, *, model: str, stream: bool = False, fail: bool | str = False, usage: bool = True,
               n: int = 1, fail_after: int | None = None, **params: Any) -> Any:
        if fail:
            raise VendorError(fail if isinstance(fail, str) else "vendor rejected the request")
        if stream:
            return Stream(default_chunks(model, usage=usage or params.get("include_usage", False), n=n),
                          fail_after)
        choices = [{"text": "Hello", "finish_reason": "stop"}]
        return Response("resp-1", model, choices, {"input": 7, "output": 5, "cached": 2} if usage else None)

    def create_generator(self, *, model: str, stream: bool = True, fail_after: int | None = None) -> Any:
        """Some SDKs return a plain generator for a stream."""
        return Stream(default_chunks(model), fail_after)._iterator

    def create_twice_nested(self, *, model: str) -> Any:
        return self.create(model=model)


class AsyncCompletions:
    async def create_in_background(self, *, model: str) -> Any:
        """Starts a listener task that outlives the call and makes calls of its own (like an SDK's socket)."""
        return asyncio.ensure_future(self.create(model=model))

    async def create(self, *, model: str, stream: bool = False, fail: bool = False, usage: bool = True,
                     fail_after: int | None = None, stall_after: int | None = None, **params: Any) -> Any:
        await asyncio.sleep(0)
        if fail:
            raise VendorError("vendor rejected the request")
        if stream:
            return AsyncStream(default_chunks(model, usage=usage), fail_after, stall_after)
        return Response("resp-1", model, [{"text": "Hello", "finish_reason": "stop"}],
                        {"input": 7, "output": 5} if usage else None)


@dataclass
class FakeCodec:
    """Reads the fake vendor's objects; ``explode`` makes it fail to test the guard."""

    explode: str | None = None
    seen: list[str] = field(default_factory=list)

    def read_request(self, call: Call) -> Request:
        if self.explode == "request":
            raise RuntimeError("codec bug")
        kwargs = call.kwargs
        stream = bool(kwargs.get("stream"))
        injected = False
        if stream and call.options.get("stream_usage") and not kwargs.get("usage", True):
            kwargs["include_usage"] = True
            injected = True
        attributes = {}
        if "temperature" in kwargs:
            attributes[sc.GEN_AI_REQUEST_TEMPERATURE] = kwargs["temperature"]
        return Request(operation=sc.OP_CHAT, provider="fake", model=kwargs.get("model"), stream=stream,
                       attributes=attributes, server_address="fake.example", server_port=443,
                       usage_injected=injected,
                       input_messages=lambda: [{"role": "user", "parts": [
                           {"type": "text", "content": kwargs.get("prompt", "hi")}]}],
                       system_instructions=lambda: [{"type": "text", "content": "be brief"}])

    def read_response(self, result: Any, recorder: Recorder) -> None:
        if self.explode == "response":
            raise RuntimeError("codec bug")
        recorder.set_response(id=result.id, model=result.model)
        for index, choice in enumerate(result.choices):
            recorder.set_finish_reason(index, choice["finish_reason"])
            recorder.add_text(index, choice["text"])
        if result.usage:
            recorder.set_usage(input_tokens=result.usage["input"], output_tokens=result.usage["output"],
                               cache_read_input_tokens=result.usage.get("cached"))

    def read_chunk(self, chunk: Any, recorder: Recorder) -> None:
        if self.explode == "chunk":
            raise RuntimeError("codec bug")
        recorder.set_response(id=chunk.id, model=chunk.model)
        if chunk.text:
            recorder.add_text(chunk.index, chunk.text)
        if chunk.finish_reason:
            recorder.set_finish_reason(chunk.index, chunk.finish_reason)
        if chunk.tool_call:
            recorder.add_tool_call(chunk.index, 0, **chunk.tool_call)
        if chunk.usage:
            recorder.set_usage(input_tokens=chunk.usage["input"], output_tokens=chunk.usage["output"])

    def is_injected_chunk(self, chunk: Any) -> bool:
        return bool(chunk.usage_only)


def _end_without_reading(result: Any, invocation: Any) -> Any:
    invocation.end()
    return result


class FakeInstrumentor(GenAIInstrumentor):
    provider = "fake"
    instruments = ()
    codec = FakeCodec()

    def targets(self) -> list[Target]:
        module = __name__
        return [Target(module, "Completions.create", self.codec),
                Target(module, "Completions.create_twice_nested", self.codec),
                Target(module, "Completions.create_generator", self.codec),
                Target(module, "AsyncCompletions.create", self.codec, is_async=True),
                Target(module, "AsyncCompletions.create_in_background", self.codec, is_async=True,
                       result_handler=_end_without_reading)]

    def adapter_options(self, kwargs: Any) -> dict[str, Any]:
        return {"stream_usage": bool(kwargs.get("stream_usage", False))}
