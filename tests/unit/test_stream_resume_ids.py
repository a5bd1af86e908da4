"""Resuming when event ids are shared: the in-memory server stamps `<ms>-0`, so several events of
one millisecond carry the same id, and a replay starts strictly after the id it is given."""

from __future__ import annotations

import httpx
import pytest

from .conftest import MockFactory, RecordingStream, sse, sse_response

pytestmark = pytest.mark.both_clients

EVENTS = [
    ("metadata", {"run_id": "R"}, "100-0"),
    ("custom", 1, "200-0"),
    ("custom", 2, "200-0"),
    ("custom", 3, "200-0"),
    ("custom", 4, "300-0"),
]


def block(i: int) -> bytes:
    name, data, id_ = EVENTS[i]
    return sse(name, data, id=id_)


def replay_after(last_event_id: str) -> list[bytes]:
    """What the server sends for `Last-Event-ID`: every event whose id sorts after it."""
    if last_event_id == "-1":
        return [block(i) for i in range(len(EVENTS))]
    return [block(i) for i in range(len(EVENTS)) if EVENTS[i][2] > last_event_id]


def scripted(break_after: int) -> tuple[object, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            chunks = [block(i) for i in range(break_after)]
            broken = RecordingStream(chunks, error=httpx.ReadError("reset"))
            return sse_response(stream=broken, headers={"content-location": "/threads/T/runs/R"})
        seen.append(request.headers["last-event-id"])
        return sse_response(*replay_after(request.headers["last-event-id"]))

    return handler, seen


async def test_break_inside_a_group_of_shared_ids_loses_nothing(
    mock: MockFactory, no_retry_delay: None
) -> None:
    handler, seen = scripted(break_after=3)  # delivered: 100-0, 200-0 (1), 200-0 (2)
    client, _ = mock(handler)
    async with client.runs.stream("T", "agent", stream_resumable=True) as stream:
        parts = [(p.event, p.data, p.id) async for p in stream]
    assert parts == EVENTS  # each event exactly once, in order
    assert seen == ["100-0"]  # resumed from the id before the shared one


async def test_break_inside_the_first_id_group_replays_from_the_start(
    mock: MockFactory, no_retry_delay: None
) -> None:
    handler, seen = scripted(break_after=1)  # delivered: 100-0 only
    client, _ = mock(handler)
    async with client.runs.stream("T", "agent", stream_resumable=True) as stream:
        parts = [(p.event, p.data, p.id) async for p in stream]
    assert parts == EVENTS
    assert seen == ["-1"]


async def test_break_after_a_whole_group(mock: MockFactory, no_retry_delay: None) -> None:
    handler, seen = scripted(break_after=4)
    client, _ = mock(handler)
    async with client.runs.stream("T", "agent", stream_resumable=True) as stream:
        parts = [(p.event, p.data, p.id) async for p in stream]
    assert parts == EVENTS
    assert seen == ["100-0"]
