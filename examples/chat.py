"""A chat graph whose model streams tokens: langchain-core's fake chat model, so no LLM, no API
key, no network (langchain-core ships with the Agent Server).

Served as ``chat`` by ``examples/langgraph.json``. Input ``{"messages": [{"role": "user",
"content": "hi"}]}``; the model answers ``"You said: hi. Streaming works."`` one word (and space)
at a time, which ``stream_mode="messages-tuple"`` delivers as ``(chunk, metadata)`` pairs.
"""

# The server's own venv has langgraph; the client's dev venv (which runs mypy) does not.
# mypy: disable-error-code="import-not-found"

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class ChatState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


async def model(state: ChatState) -> dict[str, Any]:
    said = str(state["messages"][-1].content) if state["messages"] else ""
    # A fresh model per call: the fake model answers from an iterator it uses up.
    llm = GenericFakeChatModel(messages=iter([AIMessage(f"You said: {said}. Streaming works.")]))
    return {"messages": [await llm.ainvoke(state["messages"])]}


builder = StateGraph(ChatState)
builder.add_node("model", model)
builder.add_edge(START, "model")
builder.add_edge("model", END)
graph = builder.compile()
graph.name = "chat"
