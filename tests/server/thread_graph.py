"""Graphs for the thread-streaming tests (`client.threads.stream`): no LLM, no keys, no network.

A module of their own because the server reads `stream_transformers` per module: exporting it
here turns on the `custom`, `updates` and `tools` channels for these graphs only, and leaves the
graphs of ``graph.py`` as they are.

``stream_agent`` runs ``prepare`` then ``respond`` and echoes the last user message. Input
switches (ephemeral, read once per run): ``"fail": true`` raises ``ValueError("boom")`` in
``prepare``; ``"interrupt": true`` interrupts with ``{"question": "approve?", "text": ...}`` and
the reply becomes ``"echo: <text> (resume: X)"``; ``"chunks": n`` writes ``n`` custom events
``{"chunk": i, "of": n}`` ``"chunk_delay"`` seconds apart (default 0.05); with ``"progress": true``
each is followed by ``{"progress": i + 1}``, which the named channel ``custom:progress`` reports
as ``{"done": i + 1}``.

``stream_nested`` runs ``outer`` then the subgraph node ``inner`` (which writes a custom event).

``stream_chat`` streams ``"echo: <text>"`` token by token from langchain-core's
``GenericFakeChatModel``; with ``"tool": true`` the model first asks for the ``shout`` tool,
which a ``ToolNode`` runs (``tools`` channel events), then answers.
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.channels.ephemeral_value import EphemeralValue
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt._tool_call_transformer import ToolCallTransformer
from langgraph.stream._types import ProtocolEvent, StreamTransformer
from langgraph.stream.stream_channel import StreamChannel
from langgraph.stream.transformers import CustomTransformer, UpdatesTransformer
from langgraph.types import interrupt
from typing_extensions import TypedDict


class ProgressTransformer(StreamTransformer):
    """A named channel, `custom:progress`: `{"done": n}` for each custom `{"progress": n}`."""

    def __init__(self, scope: tuple[str, ...] = ()) -> None:
        super().__init__(scope)
        self._channel: StreamChannel[Any] = StreamChannel("progress")

    def init(self) -> dict[str, Any]:
        return {"progress": self._channel}

    def process(self, event: ProtocolEvent) -> bool:
        data = event["params"]["data"]
        if event["method"] == "custom" and isinstance(data, dict) and "progress" in data:
            self._channel.push({"done": data["progress"]})
        return True


def stream_transformers() -> list[Any]:
    """Turns on the `custom`, `updates` and `tools` channels of thread streams, and a named
    `custom:progress` channel."""
    return [CustomTransformer, UpdatesTransformer, ToolCallTransformer, ProgressTransformer]


class Message(TypedDict):
    role: str
    content: str


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict):
            if message.get("role") in ("user", "human"):
                return str(message.get("content", ""))
        elif getattr(message, "type", None) == "human":
            return str(message.content)
    return ""


# --- stream_agent ---------------------------------------------------------------------------


class AgentState(TypedDict, total=False):
    messages: Annotated[list[Message], operator.add]
    count: int
    fail: Annotated[bool, EphemeralValue(bool)]
    interrupt: Annotated[bool, EphemeralValue(bool)]
    chunks: Annotated[int, EphemeralValue(int)]
    chunk_delay: Annotated[float, EphemeralValue(float)]
    progress: Annotated[bool, EphemeralValue(bool)]
    resume: Annotated[Any, EphemeralValue(object)]


class AgentOutput(TypedDict, total=False):
    messages: list[Message]
    count: int


async def prepare(state: AgentState) -> dict[str, Any]:
    write = get_stream_writer()
    chunks = int(state.get("chunks") or 0)
    delay = float(state.get("chunk_delay", 0.05))
    for i in range(chunks):
        write({"chunk": i, "of": chunks})
        if state.get("progress"):
            write({"progress": i + 1})  # the `custom:progress` channel reports it
        if delay > 0:
            await asyncio.sleep(delay)
    if state.get("fail"):
        raise ValueError("boom")
    count = state.get("count", 0) + 1
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


_agent = StateGraph(AgentState, output_schema=AgentOutput)
_agent.add_node("prepare", prepare)
_agent.add_node("respond", respond)
_agent.add_edge(START, "prepare")
_agent.add_edge("prepare", "respond")
_agent.add_edge("respond", END)
stream_agent = _agent.compile()
stream_agent.name = "stream_agent"


# --- stream_nested --------------------------------------------------------------------------


class NestedState(TypedDict, total=False):
    messages: Annotated[list[Message], operator.add]
    reply: str


class InnerOutput(TypedDict, total=False):
    reply: str


async def outer(state: NestedState) -> dict[str, Any]:
    return {"reply": ""}


async def inner_step(state: NestedState) -> dict[str, Any]:
    get_stream_writer()({"node": "inner_step"})
    return {"reply": "echo: " + _last_user_text(state.get("messages", []))}


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
stream_nested = _nested.compile()
stream_nested.name = "stream_nested"


# --- stream_chat ----------------------------------------------------------------------------


class ChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    tool: Annotated[bool, EphemeralValue(bool)]


@tool
def shout(text: str) -> str:
    """Upper-cases the text."""
    return text.upper()


async def model(state: ChatState) -> dict[str, Any]:
    messages = state["messages"]
    text = _last_user_text(messages)
    if state.get("tool") and not isinstance(messages[-1], ToolMessage):
        call = {"name": "shout", "args": {"text": text}, "id": "call_1", "type": "tool_call"}
        # Not through the fake model: it cannot stream a message without text.
        return {"messages": [AIMessage(content="", tool_calls=[call], id="ai-call")]}
    if isinstance(messages[-1], ToolMessage):
        text = str(messages[-1].content)
    llm = GenericFakeChatModel(messages=iter([AIMessage(content="echo: " + text)]))
    return {"messages": [await llm.ainvoke(messages)]}


def _route(state: ChatState) -> str:
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else END


_chat = StateGraph(ChatState)
_chat.add_node("model", model)
_chat.add_node("tools", ToolNode([shout]))
_chat.add_edge(START, "model")
_chat.add_conditional_edges("model", _route, ["tools", END])
_chat.add_edge("tools", "model")
stream_chat = _chat.compile()
stream_chat.name = "stream_chat"
