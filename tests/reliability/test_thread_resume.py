"""Thread streams over a fault server that behaves like the Agent Server's events endpoint:
every connection replays the thread's log (seq counted over all channels, so a filtered view
has gaps), `since` drops seq <= since, and the stream never ends at the end of a run."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph_client import StreamLostError
from tests.faultserver import Dynamic, FaultServer, RequestRecord, Step, event, json_response, sse

from .conftest import ClientFactory

THREAD = "t-1"
RUN = "01a2-run"
EVENTS_PATH = f"/threads/{THREAD}/stream/events"


def envelope(seq: int, method: str, data: Any, event_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "event",
        "event_id": event_id or f"17962117{seq:05d}-0",
        "seq": seq,
        "method": method,
        "params": {"namespace": [], "timestamp": 1796211700000 + seq, "data": data},
    }


LOG = [
    envelope(1, "lifecycle", {"event": "running"}, f"synth:{RUN}:lc||running"),
    envelope(2, "values", {"n": 0}),
    *(
        envelope(3 + 2 * i + j, method, data)
        for i in range(6)
        for j, (method, data) in enumerate(
            [("tasks", {"step": i}), ("custom", {"chunk": i})]  # tasks: filtered out
        )
    ),
    envelope(15, "values", {"n": 1}),
    envelope(16, "lifecycle", {"event": "completed"}, f"synth:{RUN}:lc||completed"),
]


def events_endpoint(cut_after: int) -> tuple[Step, list[dict[str, Any]]]:
    """The first connection breaks (TCP reset) after `cut_after` events; the others replay
    from `since` and then stay open, as the real server does."""
    bodies: list[dict[str, Any]] = []

    def serve(record: RequestRecord) -> Step:
        body = record.json()
        bodies.append(body)
        since = body.get("since") or 0
        wanted = [
            event(e["method"], e, str(e["seq"]))
            for e in LOG
            if e["seq"] > since and e["method"] in body["channels"]
        ]
        if len(bodies) == 1:
            return sse(wanted, after=cut_after, end="reset", interval=0.01)
        return sse(wanted, end="stall", heartbeat=0.05)

    return Dynamic(serve), bodies


def commands(fs: FaultServer) -> None:
    reply = {"type": "success", "id": 1, "result": {"run_id": RUN}, "meta": {}}
    fs.always("POST", f"/threads/{THREAD}/commands", json_response(200, reply))


async def test_a_cut_mid_run_resumes_with_since_and_delivers_each_event_once(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    commands(fs)
    step, bodies = events_endpoint(cut_after=4)
    fs.always("POST", EVENTS_PATH, step)
    client = make_client()
    reconnects: list[tuple[int, str | None]] = []
    stream = client.threads.stream(
        THREAD, assistant_id="agent", on_reconnect=lambda n, since: reconnects.append((n, since))
    )
    async with stream as thread:
        await thread.run.start(input={})
        events = await asyncio.wait_for(_collect(thread.events), 10)
        output = await asyncio.wait_for(thread.output, 10)
    assert [e["seq"] for e in events] == [1, 2, 4, 6, 8, 10, 12, 14, 15, 16]
    assert len({e["event_id"] for e in events}) == len(events)
    assert output == {"n": 1}
    assert len(bodies) == 2
    assert "since" not in bodies[0] and bodies[1]["since"] == 6  # the last seq delivered
    assert reconnects == [(1, "6")]
    assert bodies[0]["channels"] == bodies[1]["channels"]


async def test_a_replay_that_repeats_delivered_events_is_deduplicated(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    # A server that ignores `since` (replays everything): the ids keep delivery exactly-once.
    commands(fs)
    bodies: list[dict[str, Any]] = []

    def serve(record: RequestRecord) -> Step:
        bodies.append(record.json())
        wanted = [event(e["method"], e, str(e["seq"])) for e in LOG if e["method"] != "tasks"]
        if len(bodies) == 1:
            return sse(wanted, after=5, end="reset")
        return sse(wanted, end="stall")

    fs.always("POST", EVENTS_PATH, Dynamic(serve))
    async with make_client().threads.stream(THREAD, assistant_id="agent") as thread:
        await thread.run.start(input={})
        custom = await asyncio.wait_for(_collect(thread.subscribe(["custom"])), 10)
    assert [e["params"]["data"]["chunk"] for e in custom] == list(range(6))


async def test_a_stream_that_stalls_without_heartbeats_is_lost_not_hung(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    commands(fs)
    fs.always("POST", EVENTS_PATH, sse([event("lifecycle", LOG[0], "1")], end="stall"))
    client = make_client(stream_idle_timeout=0.2)
    async with client.threads.stream(THREAD, assistant_id="agent", max_reconnects=2) as thread:
        await thread.run.start(input={})
        try:
            await asyncio.wait_for(thread.output, 10)
        except StreamLostError as exc:
            assert exc.attempts == 2
        else:
            raise AssertionError("a silent stream must end in StreamLostError")
    # The same server, honouring `since` as the real one does: nothing new, then silence.
    assert fs.count("POST", EVENTS_PATH) == 3


async def test_a_stream_that_goes_silent_after_since_is_lost_not_hung(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    commands(fs)

    def serve(record: RequestRecord) -> Step:
        since = record.json().get("since") or 0
        return sse([event("lifecycle", e, "1") for e in LOG[:1] if e["seq"] > since], end="stall")

    fs.always("POST", EVENTS_PATH, Dynamic(serve))
    client = make_client(stream_idle_timeout=0.2)
    async with client.threads.stream(THREAD, assistant_id="agent", max_reconnects=2) as thread:
        await thread.run.start(input={})
        try:
            await asyncio.wait_for(thread.output, 10)
        except StreamLostError as exc:
            assert exc.attempts == 2
        else:
            raise AssertionError("a silent stream must end in StreamLostError")


async def _collect(iterable: Any) -> list[Any]:
    items = []
    async for item in iterable:
        items.append(item)
        assert len(items) < 100
    return items


def test_the_sync_twin_resumes_a_cut_with_since_and_delivers_each_event_once(
    fs: FaultServer,
) -> None:
    from langgraph_client import get_sync_client

    commands(fs)
    step, bodies = events_endpoint(cut_after=4)
    fs.always("POST", EVENTS_PATH, step)
    client = get_sync_client(url=fs.url, api_key=None, timeout=5.0)
    with client, client.threads.stream(THREAD, assistant_id="agent") as thread:
        thread.run.start(input={})
        events = list(thread.events)
        output = thread.output
    assert [e["seq"] for e in events] == [1, 2, 4, 6, 8, 10, 12, 14, 15, 16]
    assert output == {"n": 1}
    assert [b.get("since") for b in bodies] == [None, 6]


async def test_a_channel_asked_for_mid_run_reopens_the_connection_after_since(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    commands(fs)
    step, bodies = events_endpoint(cut_after=1000)  # no cut: the first connection stays open
    fs.always("POST", EVENTS_PATH, step)
    async with make_client().threads.stream(THREAD, assistant_id="agent") as thread:
        await thread.run.start(input={})
        async for state in thread.values:
            assert state == {"n": 0}
            break  # read up to seq 2
        tasks = await asyncio.wait_for(_collect(thread.subscribe(["tasks"])), 10)
        everything = await asyncio.wait_for(_collect(thread.events), 10)
    assert [b.get("since") for b in bodies] == [None, 2]
    assert "tasks" not in bodies[0]["channels"] and "tasks" in bodies[1]["channels"]
    assert [e["params"]["data"] for e in tasks] == [{"step": i} for i in range(6)]
    assert [e["seq"] for e in everything] == list(range(1, 17))
