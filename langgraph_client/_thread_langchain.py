"""Opt-in: thread-stream messages as langchain-core message objects (imported only on use)."""

from __future__ import annotations

import importlib
from typing import Any

from ._thread_protocol import Message

__all__ = ["to_langchain"]


def to_langchain(message: Message) -> Any:
    """An `AIMessage`, `ToolMessage`, `HumanMessage` or `SystemMessage` for `message`."""
    try:
        lc = importlib.import_module("langchain_core.messages")
    except ImportError as exc:  # the one place that needs it: say what to install
        raise ImportError(
            "to_langchain() needs langchain-core: pip install langchain-core"
        ) from exc
    role, content, extra = message["role"], message["content"], {"id": message["id"]}
    if role == "tool":
        return lc.ToolMessage(content=content, tool_call_id=message["tool_call_id"] or "", **extra)
    if role in ("human", "user"):
        return lc.HumanMessage(content=content, **extra)
    if role == "system":
        return lc.SystemMessage(content=content, **extra)
    calls = [
        {
            "id": c["id"],
            "name": c["name"] or "",
            "args": c["args"] if isinstance(c["args"], dict) else {},
        }
        for c in message["tool_calls"]
    ]
    usage = message["usage"] or {}
    tokens_in, tokens_out = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
    usage_metadata = {
        **usage,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "total_tokens": usage.get("total_tokens", tokens_in + tokens_out),
    }
    return lc.AIMessage(
        content=content,
        tool_calls=calls,
        usage_metadata=usage_metadata if usage else None,
        response_metadata=dict(message["metadata"]),
        **extra,
    )
