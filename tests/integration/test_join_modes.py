"""Joining a run's stream with several modes, on the real Agent Server (issue 8, bug 2)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from langgraph_client import Client, get_client

INPUT = {"messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[Client]:
    async with get_client(url=server_url, api_key=None) as c:
        yield c


async def test_join_stream_with_two_modes_gets_both(client: Client) -> None:
    thread = str(uuid.uuid4())
    modes = ["values", "updates"]
    async with client.runs.stream(
        thread,
        "agent",
        input=INPUT,
        stream_mode=modes,
        stream_resumable=True,
        if_not_exists="create",
    ) as stream:
        created = [part.event async for part in stream]
    assert {"values", "updates"} <= set(created)
    assert stream.run_id is not None
    async with client.runs.join_stream(
        thread, stream.run_id, stream_mode=modes, last_event_id="-1"
    ) as joined:
        replayed = [part.event async for part in joined]
    # The replay of a finished run: every event of both modes, in the run's order (a filtered
    # join does not repeat `metadata`). Sent as two parameters, the server kept only the last.
    assert replayed == [name for name in created if name != "metadata"]
