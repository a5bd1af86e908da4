"""The quickstart's example graph: a tiny echo agent. No LLM, no API key, no network.

Served by ``python scripts/agent_server.py run --config-dir examples -- <command>``.
Input ``{"messages": [{"role": "user", "content": "hi"}]}``. Node ``think`` counts ``turns`` and
streams a ``custom`` event ``{"status": "thinking", "about": "hi"}``; node ``respond`` appends
``{"role": "assistant", "content": "echo: hi"}``. Result:
``{"messages": [<user>, <assistant>], "turns": 1}``.
"""

# The server's own venv has langgraph; the client's dev venv (which runs mypy) does not.
# mypy: disable-error-code="import-not-found"

from __future__ import annotations

import operator
from typing import Annotated, Any

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class Message(TypedDict):
    role: str
    content: str


class State(TypedDict, total=False):
    messages: Annotated[list[Message], operator.add]
    turns: int


def _last_user_text(state: State) -> str:
    for message in reversed(state.get("messages", [])):
        if message.get("role") in ("user", "human"):
            return str(message.get("content", ""))
    return ""


async def think(state: State) -> dict[str, Any]:
    get_stream_writer()({"status": "thinking", "about": _last_user_text(state)})
    return {"turns": state.get("turns", 0) + 1}


async def respond(state: State) -> dict[str, Any]:
    reply: Message = {"role": "assistant", "content": "echo: " + _last_user_text(state)}
    return {"messages": [reply]}


builder = StateGraph(State)
builder.add_node("think", think)
builder.add_node("respond", respond)
builder.add_edge(START, "think")
builder.add_edge("think", "respond")
builder.add_edge("respond", END)
graph = builder.compile()
graph.name = "agent"
