"""Deterministic graphs for the integration tests: no LLM, no keys, no network.

Served by the real in-memory Agent Server from ``tests/server/langgraph.json``.

``agent`` echoes the last user message in two nodes (``prepare`` then ``respond``), so
``updates`` mode shows two updates and ``custom`` mode one event. Input switches, read once per
run (they are ephemeral channels, so they never leak into the next run on a thread):

- ``"fail": true``        ``prepare`` raises ``ValueError("boom")``
- ``"interrupt": true``   ``prepare`` calls ``interrupt({"question": "approve?", "text": ...})``;
  resume with ``Command(resume=X)`` and the reply becomes ``"echo: <text> (resume: X)"``
- ``"sleep": seconds``    ``prepare`` sleeps (async) first, so the run stays busy
- ``"chunks": n``         ``prepare`` emits ``n`` custom events ``{"chunk": i, "of": n}``,
  ``"chunk_delay"`` seconds apart (default 0.05)

``nested`` runs ``outer`` then the subgraph node ``inner`` (its node ``inner_step`` sets
``reply`` to ``"echo: <text>"``), for ``stream_subgraphs`` namespaced events.
``chat`` streams tokens from langchain-core's ``GenericFakeChatModel`` (for ``messages-tuple``).
``inprocess`` calls ``agent`` on this same server through ``langgraph_client.get_client()``
with no URL (the in-process transport): it waits on one run and streams another, recording
when each streamed event arrived. The server's venv does not install ``langgraph_client``: it
is imported from the checkout named by ``LANGGRAPH_CLIENT_SOURCE`` (set by the test fixtures).
"""

from __future__ import annotations

import asyncio
import operator
import os
import sys
import time
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.channels.ephemeral_value import EphemeralValue
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict


class Message(TypedDict):
    role: str
    content: str


class AgentState(TypedDict, total=False):
    messages: Annotated[list[Message], operator.add]
    count: int
    fail: Annotated[bool, EphemeralValue(bool)]
    interrupt: Annotated[bool, EphemeralValue(bool)]
    sleep: Annotated[float, EphemeralValue(float)]
    chunks: Annotated[int, EphemeralValue(int)]
    chunk_delay: Annotated[float, EphemeralValue(float)]
    resume: Annotated[Any, EphemeralValue(object)]


class AgentOutput(TypedDict, total=False):
    messages: list[Message]
    count: int


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict):
            if message.get("role") in ("user", "human"):
                return str(message.get("content", ""))
        elif getattr(message, "type", None) == "human":
            return str(message.content)
    return ""


async def prepare(state: AgentState) -> dict[str, Any]:
    write = get_stream_writer()
    if sleep := state.get("sleep"):
        await asyncio.sleep(float(sleep))
    chunks = int(state.get("chunks") or 0)
    delay = float(state.get("chunk_delay", 0.05))
    for i in range(chunks):
        write({"chunk": i, "of": chunks})
        if delay > 0:
            await asyncio.sleep(delay)
    if state.get("fail"):
        raise ValueError("boom")
    count = state.get("count", 0) + 1
    write({"node": "prepare", "count": count})
    update: dict[str, Any] = {"count": count}
    if state.get("interrupt"):
        text = _last_user_text(state.get("messages", []))
        update["resume"] = interrupt({"question": "approve?", "text": text})
    return update


async def respond(state: AgentState) -> dict[str, Any]:
    content = "echo: " + _last_user_text(state.get("messages", []))
    if "resume" in state:
        content += f" (resume: {state['resume']})"
    return {"messages": [{"role": "assistant", "content": content}]}


def _agent_builder() -> StateGraph[AgentState, None, AgentState, AgentOutput]:
    builder = StateGraph(AgentState, output_schema=AgentOutput)
    builder.add_node("prepare", prepare)
    builder.add_node("respond", respond)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "respond")
    builder.add_edge("respond", END)
    return builder


graph = _agent_builder().compile()
graph.name = "agent"


# --- nested: a parent whose node "inner" is a compiled subgraph -----------------------------


class NestedState(TypedDict, total=False):
    messages: Annotated[list[Message], operator.add]
    reply: str


class InnerOutput(TypedDict, total=False):
    reply: str


async def outer(state: NestedState) -> dict[str, Any]:
    get_stream_writer()({"node": "outer"})
    return {"reply": ""}


async def inner_step(state: NestedState) -> dict[str, Any]:
    get_stream_writer()({"node": "inner_step"})
    return {"reply": "echo: " + _last_user_text(state.get("messages", []))}


# The subgraph only outputs "reply", so the parent's add-reducer never sees messages twice.
_inner = StateGraph(NestedState, output_schema=InnerOutput)
_inner.add_node("inner_step", inner_step)
_inner.add_edge(START, "inner_step")
_inner.add_edge("inner_step", END)

_nested = StateGraph(NestedState)
_nested.add_node("outer", outer)
_nested.add_node("inner", _inner.compile())
_nested.add_edge(START, "outer")
_nested.add_edge("outer", "inner")
_nested.add_edge("inner", END)
nested = _nested.compile()
nested.name = "nested"


# --- chat: token streaming through a fake chat model --------------------------------------


class ChatState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


async def model(state: ChatState) -> dict[str, Any]:
    text = _last_user_text(state["messages"])
    llm = GenericFakeChatModel(messages=iter([AIMessage(content="echo: " + text)]))
    return {"messages": [await llm.ainvoke(state["messages"])]}


_chat = StateGraph(ChatState)
_chat.add_node("model", model)
_chat.add_edge(START, "model")
_chat.add_edge("model", END)
chat = _chat.compile()
chat.name = "chat"


# --- inprocess: a graph that calls another assistant of its own server --------------------


class InProcessState(TypedDict, total=False):
    client: str  # "langgraph_client" (default) or "langgraph_sdk"
    break_early: bool  # also leave a long stream early (langgraph_client only)
    text: str
    chunk_delay: float
    waited: Any
    streamed: list[dict[str, Any]]
    transport: str
    left_after: float
    after_leaving: Any


def _langgraph_client() -> Any:
    source = os.environ.get("LANGGRAPH_CLIENT_SOURCE")
    if not source:
        raise RuntimeError("LANGGRAPH_CLIENT_SOURCE is not set: cannot import langgraph_client")
    if source not in sys.path:
        sys.path.append(source)  # appended: nothing of the checkout shadows the server's modules
    import langgraph_client

    return langgraph_client


async def call_agent(state: InProcessState) -> dict[str, Any]:
    # The official SDK's reference example for `get_client(url=None)`, with either client.
    if state.get("client") == "langgraph_sdk":
        from langgraph_sdk import get_client
    else:
        get_client = _langgraph_client().get_client
    client = get_client()  # no URL: this server, in-process
    text = state.get("text", "")
    messages = [{"role": "user", "content": text}]
    waited = await client.runs.wait(None, "agent", input={"messages": messages})
    streamed: list[dict[str, Any]] = []
    start = time.monotonic()
    agent_input = {
        "messages": messages,
        "chunks": 3,
        "chunk_delay": state.get("chunk_delay", 0.3),
    }
    async for part in client.runs.stream(None, "agent", input=agent_input, stream_mode="custom"):
        streamed.append({"event": part.event, "data": part.data, "at": time.monotonic() - start})
    transport = type(client.http.client._transport).__name__
    result = {"waited": waited, "streamed": streamed, "transport": transport}
    if state.get("break_early"):
        # Leave a long stream after its first chunk: closing must not wait for the run's end.
        start = time.monotonic()
        long_input = {"messages": messages, "chunks": 100, "chunk_delay": 0.05}
        async with client.runs.stream(
            None, "agent", input=long_input, stream_mode="custom", on_disconnect="cancel"
        ) as stream:
            async for part in stream:
                if part.event == "custom":
                    break
        result["left_after"] = time.monotonic() - start
        result["after_leaving"] = await client.runs.wait(
            None, "agent", input={"messages": messages}
        )
    return result


_inprocess = StateGraph(InProcessState)
_inprocess.add_node("call_agent", call_agent)
_inprocess.add_edge(START, "call_agent")
_inprocess.add_edge("call_agent", END)
inprocess = _inprocess.compile()
inprocess.name = "inprocess"
