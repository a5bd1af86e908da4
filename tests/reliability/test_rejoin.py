"""Joining a running run, and leaving it: issue 8's bugs 1-3, pinned against the fault server's
replay model (`tests.faultserver.replay`, which follows tests/server/WIRE_NOTES.md).

A join without `Last-Event-ID` is a live view: the server sends what the run emits from then
on. A resume after a break must keep to that view: no event from before the join, none twice.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from langgraph_client import Client, StreamPart, _retry
from tests.faultserver import FaultServer, ResumableRun, event, sse

from .conftest import EVENTS, collect

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

JOIN = "/threads/T/runs/R/stream"
CREATE = "/threads/T/runs/stream"
PHASE_2 = "issue 8 phase 2: the fix lives in runs.py/_stream.py, restructured by the sync client"


def assert_each_once_from(parts: list[StreamPart], run: ResumableRun, first: int) -> None:
    """Exactly the run's events from position `first` on, in order, none twice."""
    assert [(p.event, p.data, p.id) for p in parts] == [
        (e.event, e.data, e.id) for e in run.events[first:]
    ]


# Bug 1: a join without last_event_id, then a drop: the resume used `Last-Event-ID: -1` and
# delivered the run's earlier events.


async def test_live_join_that_breaks_after_one_event_does_not_replay_the_past(
    fs: FaultServer, client: Client
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[1], fault="reset", produced=3)
    parts = await asyncio.wait_for(collect(client.runs.join_stream("T", "R")), 5)
    assert_each_once_from(parts, run, 3)


async def test_live_join_that_breaks_before_any_event_stays_live(
    fs: FaultServer, client: Client
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[0, 2], fault="reset", produced=3)
    parts = await asyncio.wait_for(collect(client.runs.join_stream("T", "R")), 5)
    assert_each_once_from(parts, run, 3)
    assert run.last_event_ids[:2] == [None, None]  # the resume asked for live events too


async def test_live_join_that_breaks_after_two_events_resumes_exactly(
    fs: FaultServer, client: Client
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[2, 1], fault="reset", produced=3)
    parts = await asyncio.wait_for(collect(client.runs.join_stream("T", "R")), 5)
    assert_each_once_from(parts, run, 3)


async def test_join_from_the_start_that_breaks_replays_nothing_twice(
    fs: FaultServer, client: Client
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[1, 0, 3], fault="close", produced=5)
    parts = await asyncio.wait_for(
        collect(client.runs.join_stream("T", "R", last_event_id="-1")), 5
    )
    assert_each_once_from(parts, run, 0)
    assert run.last_event_ids[0] == "0"  # "-1" goes out as "0": the whole run on every runtime


# Bug 2: `stream_mode=["values", "updates"]` went out as two `stream_mode` parameters; the
# server reads one, so all modes but one were dropped (on the resume too).


async def test_join_stream_sends_every_mode_in_one_parameter(
    fs: FaultServer, client: Client
) -> None:
    fs.resumable_run(EVENTS, fail_after=[3], fault="reset")
    parts = await asyncio.wait_for(
        collect(client.runs.join_stream("T", "R", stream_mode=["values", "updates"])), 5
    )
    assert len(parts) == len(EVENTS)
    joins = fs.find("GET", JOIN)
    assert len(joins) == 2  # the join, then the resume
    for record in joins:
        values = record.params["stream_mode"]
        assert len(values) == 1, values  # one parameter: the server reads only one
        assert json.loads(values[0]) == ["values", "updates"]


async def test_join_stream_sends_one_mode_as_is(fs: FaultServer, client: Client) -> None:
    fs.resumable_run(EVENTS, fail_after=[3], fault="reset")
    await asyncio.wait_for(collect(client.runs.join_stream("T", "R", stream_mode="updates")), 5)
    assert [r.params["stream_mode"] for r in fs.find("GET", JOIN)] == [["updates"]] * 2


# Bug 3: `aclose()` from another task did not stop a stream that was still connecting, or
# waiting between reconnects: the iterating task connected anyway and kept yielding.


async def iterate(stream: Any, parts: list[StreamPart]) -> None:
    async for part in stream:
        parts.append(part)
        assert len(parts) < 100


async def test_aclose_from_another_task_stops_a_stream_still_connecting(
    fs: FaultServer, client: Client, flavour: str
) -> None:
    fs.route("POST", CREATE, sse(EVENTS, delay=3.0, content_location="/threads/T/runs/R"))
    stream = client.runs.stream("T", "agent", stream_resumable=True)
    parts: list[StreamPart] = []
    reader = asyncio.create_task(iterate(stream, parts))
    await fs.wait_until(lambda: fs.count("POST", CREATE) == 1, timeout=2)
    closed_at = time.monotonic()
    await stream.aclose()
    await asyncio.wait_for(reader, 5)
    if flavour == "async":
        assert time.monotonic() - closed_at < 2.0  # did not wait for the server's answer (3 s)
    # (A blocking connect cannot be interrupted: the sync stream ends when it returns.)
    assert parts == []


async def test_aclose_from_another_task_stops_a_stream_between_reconnects(
    fs: FaultServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow_sleep(seconds: float) -> None:
        await asyncio.sleep(3.0)  # every wait before a reconnect

    def slow_sync_sleep(seconds: float, until: threading.Event | None = None) -> None:
        if until is None:
            time.sleep(3.0)
        else:
            until.wait(3.0)

    monkeypatch.setattr(_retry, "sleep", slow_sleep)
    monkeypatch.setattr(_retry, "sync_sleep", slow_sync_sleep)
    fs.resumable_run(EVENTS, fail_after=[2], fault="reset")
    waiting = asyncio.Event()
    loop = asyncio.get_running_loop()
    stream = client.runs.stream(
        "T",
        "agent",
        stream_resumable=True,
        on_reconnect=lambda *_: loop.call_soon_threadsafe(waiting.set),  # sync: another thread
    )
    parts: list[StreamPart] = []
    reader = asyncio.create_task(iterate(stream, parts))
    await asyncio.wait_for(waiting.wait(), 5)
    closed_at = time.monotonic()
    await stream.aclose()
    await asyncio.wait_for(reader, 5)
    assert time.monotonic() - closed_at < 2.0  # did not sit out the 3 s wait
    assert len(parts) == 2  # nothing after the close
    assert fs.count("GET", JOIN) == 0  # and no reconnect was made


async def test_aclose_from_another_task_stops_a_connected_stream(
    fs: FaultServer, client: Client
) -> None:
    fs.route("POST", CREATE, sse(EVENTS, interval=0.3, content_location="/threads/T/runs/R"))
    stream = client.runs.stream("T", "agent")
    parts: list[StreamPart] = []
    reader = asyncio.create_task(iterate(stream, parts))
    await fs.wait_until(lambda: len(parts) >= 1, timeout=5)
    await stream.aclose()
    await asyncio.wait_for(reader, 5)
    assert 1 <= len(parts) < len(EVENTS)
    await fs.wait_until(lambda: fs.find("POST", CREATE)[0].client_closed, timeout=2)


# Exactly once, stated exactly: after a worker crash the server runs the interrupted step again
# and sends its events again under new ids, after a second `metadata` with `attempt: 2`.

CRASHED = [
    event("metadata", {"run_id": "R", "attempt": 1}, "1700000000001-0"),
    event("custom", {"step": 1}, "1700000000002-0"),
    event("custom", {"step": 2, "part": 1}, "1700000000003-0"),
    # the worker died during step 2; another one restarts the run from its last checkpoint
    event("metadata", {"run_id": "R", "attempt": 2}, "1700000000009-0"),
    event("custom", {"step": 2, "part": 1}, "1700000000010-0"),
    event("custom", {"step": 2, "part": 2}, "1700000000011-0"),
    event("custom", {"step": 3}, "1700000000012-0"),
]


async def test_attempt_tells_re_emitted_output_apart(fs: FaultServer, client: Client) -> None:
    run = fs.resumable_run(CRASHED, fail_after=[3, 2], fault="reset")
    stream = client.runs.stream("T", "agent", stream_resumable=True)
    seen: list[tuple[Any, int | None]] = []
    async with stream:
        assert stream.attempt is None  # nothing said yet
        async for part in stream:
            seen.append((part.data.get("step"), stream.attempt))
    assert [p for p in run.events] == CRASHED
    # every id once (the replays after each break dropped), the re-run step marked by attempt 2
    assert seen == [(None, 1), (1, 1), (2, 1), (None, 2), (2, 2), (2, 2), (3, 2)]
    assert stream.reconnects == 2
