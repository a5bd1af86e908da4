"""Resuming when event ids are shared: the in-memory server stamps `<ms>-0`, so several events of
one millisecond carry the same id, and a replay starts strictly after the id it is given.

Played by `langgraph_client.testing.FakeAgentServer`, which stamps and replays ids the way the
server does (tests/integration/test_kit_parity.py holds it to the real server), for both clients.
"""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_client.testing import FakeAgentServer, Pause
from tests.clients import open_client

pytestmark = pytest.mark.both_clients

# metadata, then three events in one millisecond (one shared id), then one more.
SCRIPT = [Pause(0.01), ("custom", 1), ("custom", 2), ("custom", 3), Pause(0.01), ("custom", 4)]


async def play(
    flavour: str, break_after: int
) -> tuple[list[tuple[str, Any, str | None]], list[str | None]]:
    """Stream the script, the connection dropped after `break_after` events; return the parts
    delivered and the `Last-Event-ID` of each resume."""
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", events=SCRIPT)
    fake.drop(after_events=break_after, path="/threads/*/runs/stream", method="POST")
    thread_id = fake.add_thread()["thread_id"]
    http: Any = fake.async_client() if flavour == "async" else fake.client()
    async with open_client(flavour, url="http://agent.test", http_client=http, api_key=None) as c:
        stream = c.runs.stream(thread_id, "agent", stream_mode="custom", stream_resumable=True)
        async with stream:
            parts = [(p.event, p.data, p.id) async for p in stream]
    await http.aclose() if flavour == "async" else http.close()
    resumes = [r.header("last-event-id") for r in fake.requests if r.method == "GET"]
    return parts, resumes


@pytest.mark.parametrize(
    ("break_after", "resumed_after"),
    [
        (3, 0),  # delivered: metadata, 1, 2 (1 and 2 share an id): resume from metadata's id
        (1, None),  # delivered: metadata only: replay from the start
        (4, 0),  # delivered the whole shared group: still from the id before it
    ],
)
async def test_a_break_at_any_point_delivers_each_event_exactly_once(
    flavour: str, no_retry_delay: None, break_after: int, resumed_after: int | None
) -> None:
    parts, resumes = await play(flavour, break_after)
    assert [(event, data) for event, data, _ in parts] == [
        ("metadata", parts[0][1]),
        *[("custom", i) for i in (1, 2, 3, 4)],
    ]
    ids = [event_id for _, _, event_id in parts]
    assert ids[1] == ids[2] == ids[3] and len(set(ids)) == 3  # the server's shared ids
    assert resumes == ["0" if resumed_after is None else ids[resumed_after]]  # "0": from the start
