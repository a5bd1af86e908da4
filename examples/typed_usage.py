"""Typed usage: threads, runs, state, store and assistants with the types from
`langgraph_client.types`. `mypy --strict` checks this file in CI, and the tests run it.

Run: `LANGGRAPH_URL=http://127.0.0.1:2024 python examples/typed_usage.py`
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

from langgraph_client import Client, NotFoundError, StreamPart, capture_responses, get_client
from langgraph_client.types import Assistant, Item, Run, StreamPartV2, Thread, ThreadState


async def conversation(client: Client) -> None:
    thread: Thread = await client.threads.create(metadata={"example": "typed"})
    thread_id = thread["thread_id"]

    result = await client.runs.wait(
        thread_id, "agent", input={"messages": [{"role": "user", "content": "hi"}]}
    )
    assert isinstance(result, dict)
    print("reply:", result["messages"][-1]["content"])

    parts: list[StreamPart] = []
    async with client.runs.stream(
        thread_id,
        "agent",
        input={"messages": [{"role": "user", "content": "again"}]},
        stream_mode=["updates", "custom"],
    ) as stream:
        async for part in stream:
            parts.append(part)
    print("streamed events:", [p.event for p in parts], "run:", stream.run_id)

    state: ThreadState = await client.threads.get_state(thread_id)
    values = state["values"]  # a dict for this graph; a list for list-state graphs
    print("turns in state:", values.get("turns") if isinstance(values, dict) else None)

    with capture_responses() as raw:
        runs: list[Run] = await client.runs.list(thread_id)
    print("runs on the thread:", [r["status"] for r in runs], "status:", raw.status_code)

    await typed_stream(client, thread_id)

    history = [s["checkpoint"] async for s in _history(client, thread_id) if s["checkpoint"]]
    print("checkpoints:", len(history))

    await client.threads.delete(thread_id)
    try:
        await client.threads.get(thread_id)
    except NotFoundError as exc:
        print("deleted:", exc.status_code)


async def typed_stream(client: Client, thread_id: str) -> None:
    """`version="v2"`: typed dicts; checking `type` narrows each one to its own shape."""
    kinds: list[str] = []
    async with client.runs.stream(
        thread_id,
        "agent",
        input={"messages": [{"role": "user", "content": "typed"}]},
        stream_mode=["values", "custom"],
        version="v2",
    ) as stream:
        async for part in stream:
            v2: StreamPartV2 = part
            if v2["type"] == "values":
                kinds.append(f"values({len(v2['data']['messages'])} messages)")
            elif v2["type"] == "metadata":
                kinds.append(f"metadata(attempt {v2['data'].get('attempt')})")
            else:
                kinds.append(v2["type"])
    print("v2 parts:", kinds)


async def _history(client: Client, thread_id: str) -> AsyncIterator[ThreadState]:
    for state in await client.threads.get_history(thread_id, limit=5):
        yield state


async def store_and_assistants(client: Client) -> None:
    await client.store.put_item(("users", "u1"), "prefs", {"theme": "dark"})
    item: Item | None = await client.store.get_item(("users", "u1"), "prefs")
    print("stored:", item["value"] if item else None)
    await client.store.delete_item(("users", "u1"), "prefs")

    assistants: list[Assistant] = await client.assistants.search(graph_id="agent")
    print("assistants for 'agent':", len(assistants))
    count = 0
    async for _assistant in client.assistants.search_all(page_size=50):
        count += 1
    print("all assistants:", count)


async def main() -> None:
    url = os.environ.get("LANGGRAPH_URL", "http://127.0.0.1:2024")
    async with get_client(url=url) as client:
        await conversation(client)
        await store_and_assistants(client)


if __name__ == "__main__":
    asyncio.run(main())
