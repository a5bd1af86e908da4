"""Mistakes the types must still catch. Never run: `test_user_types.py` type-checks this file and
expects an error on exactly the lines marked `# error`."""

from __future__ import annotations

from langgraph_client import get_client, get_sync_client


async def bad_lines() -> None:
    client = get_client(url="http://127.0.0.1:2024")
    await client.runs.wait(None, "agent", inptu={})  # error
    await client.runs.wait(None, "agent", stream_mode="updatez")  # error
    client.runs.stream(None, "agent", stream_mode="valuez")  # error
    await client.runs.wait(None, "agent", durability="sometimes")  # error
    await client.runs.get(1, "run")  # error


def bad_sync_lines() -> None:
    client = get_sync_client(url="http://127.0.0.1:2024")
    client.runs.wait(None, "agent", inptu={})  # error
    client.runs.stream(None, "agent", stream_mode="valuez")  # error
