"""The callback handler every LangChain callback manager gets: LangChain runs mapped to spans on the engine.

- chains, LangGraph graphs and nodes: step spans (a graph that ran a tool some model call asked for, and
  ``AgentExecutor``, become ``invoke_agent {name}``);
- tools: ``execute_tool {name}`` with the tool call id, linked to the inference span that asked for it;
- retrievers: ``retrieve {name}`` steps;
- model calls: one inference span per call, whoever traces it (see ``huggingplace_sdk._engine.framework``).

Imported only once ``langchain_core`` is (the instrumentor builds the handler lazily).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from langchain_core.callbacks.base import BaseCallbackHandler
from opentelemetry import context as otel_context
from opentelemetry.trace import Link

from huggingplace_sdk import _semconv as sc
from huggingplace_sdk._context import _SESSION_KEY, current_session, session
from huggingplace_sdk._engine import toolcalls
from huggingplace_sdk._engine.framework import FrameworkStep, ModelCall, start_model_call
from huggingplace_sdk.engine import Engine, Recorder, Request, report_internal_error

from ._read import (
    chat_input_messages,
    provider_of,
    read_llm_result,
    request_attributes,
    text_input_messages,
)

_HIDDEN_TAG = "langsmith:hidden"  # LangGraph's internal plumbing runs
_AGENT_NAMES = frozenset({"AgentExecutor"})
_MAX_OPEN_RUNS = 10_000  # runs a framework opened and never closed are forgotten past this


class _Run:
    """One open LangChain run: a step span or a model call (or nothing, for a hidden run)."""

    __slots__ = ("agent", "metadata", "model_call", "name", "parent", "step", "tool_call_id")

    def __init__(self, name: str, parent: _Run | None, metadata: Mapping[str, Any] | None) -> None:
        self.name = name
        self.parent = parent
        self.metadata = metadata or {}
        self.step: FrameworkStep | None = None
        self.model_call: ModelCall | None = None
        self.agent = False
        self.tool_call_id: str | None = None

    def nearest_step(self) -> _Run | None:
        run: _Run | None = self
        while run is not None and run.step is None:
            run = run.parent
        return run


class HuggingPlaceCallbackHandler(BaseCallbackHandler):
    """Maps runs to spans. Runs inline (in the run's own task or thread) so that its spans are current for
    the work they cover. Never raises into LangChain (its own errors go to the engine's guard)."""

    run_inline = True
    raise_error = False

    def __init__(self, engine: Callable[[], Engine | None]) -> None:
        super().__init__()
        self._engine = engine
        self._runs: OrderedDict[UUID, _Run] = OrderedDict()
        self._lock = threading.Lock()

    # --- bookkeeping ----------------------------------------------------------------------------------
    def _open(self, run_id: UUID, parent_run_id: UUID | None, name: str,
              metadata: Mapping[str, Any] | None) -> _Run:
        with self._lock:
            parent = self._runs.get(parent_run_id) if parent_run_id is not None else None
            run = self._runs[run_id] = _Run(name, parent, metadata)
            while len(self._runs) > _MAX_OPEN_RUNS:
                self._runs.popitem(last=False)
        return run

    def _close(self, run_id: UUID) -> _Run | None:
        with self._lock:
            return self._runs.pop(run_id, None)

    def _parent_scope(self, run: _Run) -> tuple[Any, Any]:
        """(context, usage totals) to start ``run``'s span under: the nearest enclosing run with a span, else
        whatever is current (the user's session and steps)."""
        owner = run.parent.nearest_step() if run.parent is not None else None
        if owner is not None and owner.step is not None:
            return owner.step.context, owner.step.usage
        return None, None

    def _session_context(self, metadata: Mapping[str, Any] | None) -> dict[str, object]:
        """LangGraph's thread_id, or LangChain metadata session_id / user_id, as the session, unless a
        session() of ours is open."""
        if not metadata or current_session() is not None:
            return {}
        session_id = metadata.get("session_id") or metadata.get("thread_id")
        user_id = metadata.get("user_id")
        if session_id is None and user_id is None:
            return {}
        info = session(str(session_id) if session_id is not None else None,
                       user_id=str(user_id) if user_id is not None else None)._open()
        return {_SESSION_KEY: info}

    def _start_step(self, engine: Engine, run: _Run, step_type: str, *, span_name: str | None = None,
                    attributes: Mapping[str, Any] | None = None, links: list[Link] | None = None) -> None:
        parent, parent_usage = self._parent_scope(run)
        extra = self._session_context(run.metadata) if parent is None else {}
        if parent is None and extra:
            parent = otel_context.get_current()
        run.step = FrameworkStep(engine, run.name, step_type=step_type, span_name=span_name, attributes=attributes,
                                 parent=parent, parent_usage=parent_usage, links=links, extra_context=extra)
        run.step.attach()

    def _guard(self, site: str, action: Callable[..., None], *args: Any) -> None:
        try:
            action(*args)
        except Exception as exc:
            report_internal_error(f"langchain.{site}", exc)

    # --- chains, graphs, nodes ----------------------------------------------------------------------------
    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, tags: list[str] | None = None,
                       metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._guard("chain_start", self._chain_start, serialized, run_id, parent_run_id, tags, metadata, kwargs)

    def _chain_start(self, serialized: dict[str, Any] | None, run_id: UUID, parent_run_id: UUID | None,
                     tags: list[str] | None, metadata: dict[str, Any] | None, kwargs: dict[str, Any]) -> None:
        engine = self._engine()
        if engine is None:
            return
        run = self._open(run_id, parent_run_id, _run_name(serialized, kwargs, "chain"), metadata)
        if tags and _HIDDEN_TAG in tags:
            return
        node = (metadata or {}).get("langgraph_node")
        step_type = "node" if node is not None and node == run.name else "chain"
        if run.name in _AGENT_NAMES:
            run.agent = True
            self._start_step(engine, run, "agent", span_name=f"{sc.OP_INVOKE_AGENT} {run.name}",
                             attributes={sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT, sc.GEN_AI_AGENT_NAME: run.name})
            return
        self._start_step(engine, run, step_type)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("chain_end", self._end_step, run_id, None)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("chain_error", self._end_step, run_id, error)

    def _end_step(self, run_id: UUID, error: BaseException | None, output: Any = None) -> None:
        run = self._close(run_id)
        if run is None or run.step is None:
            return
        step = run.step
        if run.agent and step.span.is_recording():
            step.span.update_name(f"{sc.OP_INVOKE_AGENT} {run.name}")
            step.span.set_attributes({sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT, sc.GEN_AI_AGENT_NAME: run.name,
                                      sc.HP_STEP_TYPE: "agent"})
        if output is not None and self._capture_content():
            engine = self._engine()
            if engine is not None:
                text, _ = engine.content.serialize("tool_call_result", output)
                step.span.set_attribute(sc.GEN_AI_TOOL_CALL_RESULT, text)
        step.end(_reportable(error))

    def _capture_content(self) -> bool:
        engine = self._engine()
        return engine is not None and engine.content.capture

    # --- model calls ---------------------------------------------------------------------------------------
    def on_chat_model_start(self, serialized: dict[str, Any] | None, messages: list[list[Any]], *, run_id: UUID,
                            parent_run_id: UUID | None = None, tags: list[str] | None = None,
                            metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._guard("chat_model_start", self._model_start, serialized, run_id, parent_run_id, metadata, kwargs,
                    lambda: chat_input_messages(messages))

    def on_llm_start(self, serialized: dict[str, Any] | None, prompts: list[str], *, run_id: UUID,
                     parent_run_id: UUID | None = None, tags: list[str] | None = None,
                     metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._guard("llm_start", self._model_start, serialized, run_id, parent_run_id, metadata, kwargs,
                    lambda: text_input_messages(prompts), sc.OP_TEXT_COMPLETION)

    def _model_start(self, serialized: dict[str, Any] | None, run_id: UUID, parent_run_id: UUID | None,
                     metadata: dict[str, Any] | None, kwargs: dict[str, Any],
                     input_messages: Callable[[], list[dict[str, Any]]], operation: str = sc.OP_CHAT) -> None:
        engine = self._engine()
        if engine is None:
            return
        run = self._open(run_id, parent_run_id, _run_name(serialized, kwargs, "llm"), metadata)
        meta = metadata or {}
        params = kwargs.get("invocation_params") or {}
        model = meta.get("ls_model_name") or params.get("model") or params.get("model_name")
        request = Request(operation=operation, provider=provider_of(meta.get("ls_provider"), serialized),
                          model=str(model) if model else None, stream=bool(params.get("stream")),
                          attributes=request_attributes(meta, params), input_messages=input_messages)
        parent, parent_usage = self._parent_scope(run)
        if parent is None:
            extra = self._session_context(meta)
            if extra:
                parent = otel_context.get_current()
                for key, value in extra.items():
                    parent = otel_context.set_value(key, value, parent)
                parent_usage = None
        run.model_call = start_model_call(engine, request, parent, parent_usage)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("llm_end", self._model_end, run_id, response, None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("llm_error", self._model_end, run_id, kwargs.get("response"), error)

    def _model_end(self, run_id: UUID, response: Any, error: BaseException | None) -> None:
        run = self._close(run_id)
        if run is None or run.model_call is None:
            return

        def read(recorder: Recorder) -> None:
            if response is not None:
                read_llm_result(response, recorder)

        run.model_call.end(read, _reportable(error))

    # --- tools ------------------------------------------------------------------------------------------
    def on_tool_start(self, serialized: dict[str, Any] | None, input_str: str, *, run_id: UUID,
                      parent_run_id: UUID | None = None, tags: list[str] | None = None,
                      metadata: dict[str, Any] | None = None, inputs: dict[str, Any] | None = None,
                      **kwargs: Any) -> None:
        self._guard("tool_start", self._tool_start, serialized, input_str, run_id, parent_run_id, metadata,
                    inputs, kwargs)

    def _tool_start(self, serialized: dict[str, Any] | None, input_str: str, run_id: UUID,
                    parent_run_id: UUID | None, metadata: dict[str, Any] | None, inputs: dict[str, Any] | None,
                    kwargs: dict[str, Any]) -> None:
        engine = self._engine()
        if engine is None:
            return
        run = self._open(run_id, parent_run_id, _run_name(serialized, kwargs, "tool"), metadata)
        call_id = kwargs.get("tool_call_id")
        run.tool_call_id = str(call_id) if call_id else None
        attrs: dict[str, Any] = {sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL, sc.GEN_AI_TOOL_NAME: run.name,
                                 sc.GEN_AI_TOOL_TYPE: "function", sc.GEN_AI_TOOL_CALL_ID: run.tool_call_id}
        description = (serialized or {}).get("description")
        if isinstance(description, str) and description:
            attrs[sc.GEN_AI_TOOL_DESCRIPTION] = description
        links: list[Link] = []
        if run.tool_call_id:
            requester = toolcalls.requester_of(run.tool_call_id)
            if requester is not None:
                links.append(Link(requester))
            self._mark_agent(run)
        if engine.content.capture:
            text, _ = engine.content.serialize("tool_call_arguments", inputs if inputs is not None else input_str)
            attrs[sc.GEN_AI_TOOL_CALL_ARGUMENTS] = text
        self._start_step(engine, run, "tool", span_name=f"{sc.OP_EXECUTE_TOOL} {run.name}", attributes=attrs,
                         links=links)

    def _mark_agent(self, tool: _Run) -> None:
        """The run that asked a model for this tool call and ran it: the nearest enclosing run that is not a
        LangGraph node (the graph itself, or a plain agent chain)."""
        run = tool.parent
        while run is not None:
            if run.step is not None and "langgraph_node" not in run.metadata:
                run.agent = True
                return
            run = run.parent

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("tool_end", self._end_step, run_id, None, _tool_output(output))

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("tool_error", self._end_step, run_id, error)

    # --- retrievers -------------------------------------------------------------------------------------
    def on_retriever_start(self, serialized: dict[str, Any] | None, query: str, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._guard("retriever_start", self._retriever_start, serialized, query, run_id, parent_run_id, metadata,
                    kwargs)

    def _retriever_start(self, serialized: dict[str, Any] | None, query: str, run_id: UUID,
                         parent_run_id: UUID | None, metadata: dict[str, Any] | None, kwargs: dict[str, Any]) -> None:
        engine = self._engine()
        if engine is None:
            return
        run = self._open(run_id, parent_run_id, _run_name(serialized, kwargs, "retriever"), metadata)
        attrs: dict[str, Any] = {}
        if engine.content.capture:
            attrs[sc.HP_RETRIEVAL_QUERY] = engine.content.serialize("retrieval_query", query)[0]
        self._start_step(engine, run, "retriever", span_name=f"retrieve {run.name}", attributes=attrs)

    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("retriever_end", self._retriever_end, documents, run_id)

    def _retriever_end(self, documents: Sequence[Any], run_id: UUID) -> None:
        run = self._runs.get(run_id)
        engine = self._engine()
        if run is not None and run.step is not None and engine is not None:
            run.step.span.set_attribute(sc.HP_RETRIEVAL_DOCUMENT_COUNT, len(documents))
            if engine.content.capture:
                docs = [{"content": getattr(d, "page_content", str(d)), "metadata": dict(getattr(d, "metadata", {}))}
                        for d in documents]
                run.step.span.set_attribute(sc.HP_RETRIEVAL_DOCUMENTS,
                                            engine.content.serialize("retrieval_documents", docs)[0])
        self._end_step(run_id, None)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._guard("retriever_error", self._end_step, run_id, error)


def _run_name(serialized: Mapping[str, Any] | None, kwargs: Mapping[str, Any], default: str) -> str:
    name = kwargs.get("name")
    if isinstance(name, str) and name:
        return name
    if serialized:
        name = serialized.get("name")
        if isinstance(name, str) and name:
            return name
        ids = serialized.get("id")
        if isinstance(ids, list) and ids and isinstance(ids[-1], str):
            return ids[-1]
    return default


def _tool_output(output: Any) -> Any:
    content = getattr(output, "content", output)  # a ToolMessage, or what the tool returned
    return content if isinstance(content, (str, list, dict, int, float, bool)) else str(content)


def _reportable(error: BaseException | None) -> BaseException | None:
    # LangGraph ends a node run with GraphInterrupt-like control flow or GeneratorExit when a stream is left
    # early: those are not failures of the run.
    if error is None or isinstance(error, GeneratorExit):
        return None
    if type(error).__name__ in ("GraphInterrupt", "NodeInterrupt", "ParentCommand", "GraphBubbleUp"):
        return None
    return error

