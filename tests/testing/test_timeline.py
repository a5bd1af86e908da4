"""The pure core of the fake: feeds played on a clock the test controls, no I/O, no sleeping."""

from __future__ import annotations

import threading

import orjson

from langgraph_client.testing import FakeAgentServer, Pause
from langgraph_client.testing._timeline import (
    HEARTBEAT,
    FaultyFeed,
    StreamFeed,
    TimedEvent,
    Timeline,
    WaitFeed,
)


def timeline() -> Timeline:
    events = [TimedEvent("metadata", {}, 0.0, "1-0"), TimedEvent("custom", 1, 1.0, "2-0")]
    events.append(TimedEvent("custom", 2, 2.0, "3-0"))
    return Timeline(events, start=0.0, end=3.0)


def stream(tl: Timeline, heartbeat: float | None = None) -> StreamFeed:
    return StreamFeed(threading.RLock(), tl, 0, 0.0, heartbeat)


def test_events_come_when_they_happen_then_the_end() -> None:
    feed = stream(timeline())
    assert feed.step(0.0).data.startswith(b"event: metadata\r\n")
    assert feed.step(0.0).wait_until == 1.0
    assert feed.step(1.0).data == b"event: custom\r\ndata: 1\r\nid: 2-0\r\n\r\n"
    assert feed.step(2.5).data.startswith(b"event: custom")
    assert feed.step(2.5).wait_until == 3.0
    assert feed.step(3.0).done


def test_heartbeats_while_waiting() -> None:
    feed = stream(timeline(), heartbeat=0.4)
    feed.step(0.0)
    assert feed.step(0.0).wait_until == 0.4
    assert feed.step(0.4).data == HEARTBEAT
    assert feed.step(0.8).data == HEARTBEAT
    assert feed.step(1.0).data.startswith(b"event: custom")


def test_a_cancel_drops_the_events_that_had_not_happened() -> None:
    tl = timeline()
    feed = stream(tl)
    feed.step(0.0)
    feed.step(1.0)
    assert tl.cancel(1.5) and not tl.cancel(1.6)
    assert feed.step(1.5).done
    assert tl.cancelled(1.5) and tl.finished(1.5)


def test_drop_and_stall_faults_count_events_not_heartbeats() -> None:
    dropped = FaultyFeed(stream(timeline(), heartbeat=0.1), after=2, drop=True)
    assert dropped.step(0.0).counts
    assert dropped.step(0.5).data == HEARTBEAT
    assert dropped.step(1.0).counts
    assert dropped.step(2.0).drop
    stalled = FaultyFeed(stream(timeline()), after=1, stall=10.0)
    assert stalled.step(0.0).counts
    assert stalled.step(1.0).wait_until == 11.0
    assert stalled.step(11.0).data.startswith(b"event: custom")


def test_wait_body_after_keepalives() -> None:
    feed = WaitFeed(threading.RLock(), timeline(), 0.0, 1.0, lambda: b'{"v":1}')
    assert feed.step(0.5).wait_until == 1.0
    assert feed.step(1.0).data == b"\n"
    assert feed.step(3.0).data == b'{"v":1}'
    assert feed.step(3.0).done


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_run_status_follows_the_clock() -> None:
    clock = Clock()
    fake = FakeAgentServer(clock=clock, heartbeat=None)
    fake.add_assistant("agent")
    fake.on_run("agent", events=[Pause(5), ("values", {"n": 1})])
    thread_id = fake.add_thread()["thread_id"]
    body = orjson.dumps({"assistant_id": "agent", "stream_resumable": True})
    reply = fake.handle("POST", f"/threads/{thread_id}/runs", "", {}, body)
    assert reply.status == 200 and orjson.loads(reply.body)["status"] == "pending"
    clock.now = 104.0
    assert fake.runs[0]["status"] == "running"
    assert fake.thread(thread_id)["status"] == "busy"
    clock.now = 105.0
    assert fake.runs[0]["status"] == "success"
    assert fake.thread(thread_id) | {"status": "idle", "values": {"n": 1}} == fake.thread(thread_id)
    replay = fake.handle(
        "GET",
        f"/threads/{thread_id}/runs/{fake.runs[0]['run_id']}/stream",
        "",
        {"Last-Event-ID": "-1"},
        b"",
    )
    assert replay.feed is not None
    first, second = replay.feed.step(clock.now), replay.feed.step(clock.now)
    assert first.data.startswith(b"event: metadata") and second.data.startswith(b"event: values")
    ids = [chunk.split(b"id: ")[1][:-4] for chunk in (first.data, second.data)]
    assert int(ids[1][:-2]) - int(ids[0][:-2]) == 5000  # `<ms>-0`, five seconds apart
    assert replay.feed.step(clock.now).done
