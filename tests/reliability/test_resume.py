"""Stream resume: a broken stream reconnects with Last-Event-ID and delivers each event once.

`FaultServer.resumable_run` serves the run: the create POST, then GET joins that replay what
came after the `Last-Event-ID` they carry (recorded in `run.last_event_ids`).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    APITimeoutError,
    Client,
    ReconnectExhaustedError,
    ReconnectPolicy,
    RunCancelledError,
    RunFailedError,
    RunOutcomeUnknownError,
    StreamLostError,
    StreamPart,
)
from tests.faultserver import (
    FaultServer,
    ResumableRun,
    close_connection,
    event,
    json_response,
    sse,
    wait_response,
)

from .conftest import API_KEY, EVENTS, ClientFactory, collect, replay_after, resume_point

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

JOIN = "/threads/T/runs/R/stream"
CREATE = "/threads/T/runs/stream"


def ids(run: ResumableRun, *positions: int) -> list[str | None]:
    return [run.events[i].id for i in positions]


def assert_resumed_after(
    run: ResumableRun,
    calls: list[tuple[int, str | None]],
    *,
    start: str | None = None,
    replays_all: bool = True,
) -> None:
    """Each resume (join `i`, announced by `on_reconnect` call `i` with the last id delivered)
    carried the documented Last-Event-ID for what had been delivered by then."""
    all_ids = [e.id for e in run.events]
    first = all_ids.index(start) + 1 if start else 0
    # Attempts count per break (reset by progress); each resume here made progress.
    assert [attempt for attempt, _ in calls] == [1] * len(calls)
    assert len(run.last_event_ids) == len(calls)
    for header, (_, last) in zip(run.last_event_ids, calls, strict=True):
        upto = first if last is None or last == start else all_ids.index(last) + 1
        delivered = all_ids[first:upto]
        assert header == resume_point(delivered, start=start, replays_all=replays_all), (
            header,
            delivered,
        )


def assert_exactly_once(parts: list[StreamPart], run: ResumableRun) -> None:
    """Every event of the run, in order, none twice, each with the server's id."""
    assert [(p.event, p.data, p.id) for p in parts] == [(e.event, e.data, e.id) for e in run.events]


class Reconnects:
    """An `on_reconnect` callback that records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str | None]] = []

    def __call__(self, attempt: int, last_event_id: str | None) -> None:
        self.calls.append((attempt, last_event_id))


@pytest.mark.parametrize("fault", ["reset", "close"])
async def test_break_after_three_events_resumes_exactly_once(
    fs: FaultServer, client: Client, fault: Any
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=3, fault=fault)
    on_reconnect = Reconnects()
    stream = client.runs.stream(
        "T", "agent", input={"x": 1}, stream_resumable=True, on_reconnect=on_reconnect
    )
    parts = await asyncio.wait_for(collect(stream), 5)

    assert_exactly_once(parts, run)
    second, third = ids(run, 1, 2)
    assert on_reconnect.calls == [(1, third)]
    # Resumed from the id before the last one delivered (ids may be shared), the replayed 3rd
    # event dropped: see test_shared_event_ids_still_exactly_once.
    assert run.last_event_ids == [second]
    assert stream.reconnects == 1
    assert (stream.run_id, stream.thread_id) == ("R", "T")
    # What the server saw: one create, one authenticated join resuming from the 2nd event.
    assert fs.count("POST", CREATE) == 1
    join = fs.last("GET", JOIN)
    assert fs.count("GET", JOIN) == 1
    assert join.header("last-event-id") == second
    assert join.header("x-api-key") == API_KEY
    assert join.header("accept") == "text/event-stream"


async def test_stall_past_idle_timeout_resumes(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(stream_idle_timeout=0.5)
    run = fs.resumable_run(EVENTS, fail_after=3, fault="stall")
    on_reconnect = Reconnects()
    started = time.monotonic()
    parts = await asyncio.wait_for(
        collect(client.runs.stream("T", "agent", stream_resumable=True, on_reconnect=on_reconnect)),
        5,
    )
    assert time.monotonic() - started < 3
    assert_exactly_once(parts, run)
    assert on_reconnect.calls == [(1, run.events[2].id)]
    assert_resumed_after(run, on_reconnect.calls)
    # The client gave up on the silent connection rather than waiting for the server.
    await fs.wait_until(lambda: fs.find("POST", CREATE)[0].client_closed, timeout=2)


async def test_several_breaks_resume_each_time(fs: FaultServer, client: Client) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[2, 3, 2, 3], fault="reset")
    on_reconnect = Reconnects()
    stream = client.runs.stream("T", "agent", stream_resumable=True, on_reconnect=on_reconnect)
    parts = await asyncio.wait_for(collect(stream), 5)
    assert_exactly_once(parts, run)
    assert_resumed_after(run, on_reconnect.calls)
    assert fs.count("GET", JOIN) == len(on_reconnect.calls) == stream.reconnects == 4


async def test_early_closes_resume_with_a_short_idle_timeout(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(stream_idle_timeout=0.3)
    run = fs.resumable_run(EVENTS, fail_after=[2, 2], fault="close")
    parts = await asyncio.wait_for(
        collect(client.runs.stream("T", "agent", stream_resumable=True)), 5
    )
    assert_exactly_once(parts, run)


async def test_break_before_the_first_event_replays_from_the_start(
    fs: FaultServer, client: Client
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[0], fault="reset")
    parts = await asyncio.wait_for(collect(client.runs.stream("T", "a", stream_resumable=True)), 5)
    assert_exactly_once(parts, run)
    assert run.last_event_ids == ["0"]  # "from the beginning"


async def test_breaks_separated_by_progress_do_not_exhaust_the_budget(
    fs: FaultServer, client: Client
) -> None:
    # Every connection delivers something new before it breaks (a proxy cutting long streams):
    # the budget is per break, so more breaks than max_reconnects still finish the run.
    run = fs.resumable_run(EVENTS, fail_after=[3] * 4, fault="reset")
    on_reconnect = Reconnects()
    stream = client.runs.stream(
        "T", "agent", stream_resumable=True, max_reconnects=2, on_reconnect=on_reconnect
    )
    parts = await asyncio.wait_for(collect(stream), 5)
    assert_exactly_once(parts, run)
    assert stream.reconnects == 4 > 2
    assert [attempt for attempt, _ in on_reconnect.calls] == [1, 1, 1, 1]


async def test_more_breaks_than_max_reconnects_is_stream_lost(
    fs: FaultServer, client: Client
) -> None:
    # After two events, every reconnect breaks before delivering anything new.
    run = fs.resumable_run(EVENTS, fail_after=[2] + [0] * 10, fault="reset")
    on_reconnect = Reconnects()
    stream = client.runs.stream(
        "T", "agent", stream_resumable=True, max_reconnects=3, on_reconnect=on_reconnect
    )
    parts: list[StreamPart] = []
    with pytest.raises(StreamLostError) as info:
        async with stream:
            async for part in stream:
                parts.append(part)
                assert len(parts) < 20
    # What was delivered is a prefix of the run, each event once.
    assert len(parts) == 2
    assert [p.id for p in parts] == [e.id for e in run.events[: len(parts)]]
    assert info.value.attempts == 3
    assert info.value.last_event_id == parts[-1].id
    assert isinstance(info.value, APIConnectionError)
    assert [attempt for attempt, _ in on_reconnect.calls] == [1, 2, 3]
    assert fs.count("GET", JOIN) == 3
    assert API_KEY not in str(info.value)


async def test_reconnects_that_fail_count_against_the_budget(
    fs: FaultServer, client: Client
) -> None:
    numbered = [event(e.event, e.data, f"{i}-0") for i, e in enumerate(EVENTS)]
    fs.route(
        "POST", CREATE, sse(numbered, after=2, end="reset", content_location="/threads/T/runs/R")
    )
    fs.always("GET", JOIN, close_connection(reset=True))
    stream = client.runs.stream("T", "agent", stream_resumable=True, max_reconnects=4)
    with pytest.raises(StreamLostError) as info:
        await asyncio.wait_for(collect(stream), 5)
    assert info.value.attempts == 4
    assert info.value.last_event_id == "1-0"
    assert fs.count("GET", JOIN) == 4
    headers = {r.header("last-event-id") for r in fs.find("GET", JOIN)}
    assert headers == {resume_point(["0-0", "1-0"])}


async def test_resume_survives_a_transient_5xx_from_the_proxy(
    fs: FaultServer, client: Client
) -> None:
    numbered = [event(e.event, e.data, f"{i}-0") for i, e in enumerate(EVENTS)]
    fs.route(
        "POST", CREATE, sse(numbered, after=3, end="reset", content_location="/threads/T/runs/R")
    )
    fs.route("GET", JOIN, json_response(503, {"detail": "restarting"}), replay_after(numbered))
    parts = await asyncio.wait_for(
        collect(client.runs.stream("T", "agent", stream_resumable=True)), 5
    )
    assert [p.id for p in parts] == [e.id for e in numbered]


async def test_not_resumable_stream_break_is_connection_error(
    fs: FaultServer, client: Client
) -> None:
    fs.resumable_run(EVENTS, fail_after=3, fault="reset")
    stream = client.runs.stream("T", "agent")  # no stream_resumable
    parts: list[StreamPart] = []
    with pytest.raises(APIConnectionError) as info:
        async with stream:
            async for part in stream:
                parts.append(part)
    assert not isinstance(info.value, StreamLostError) or info.value.attempts == 0
    assert len(parts) == 3
    assert len(fs.requests) == 1


async def test_not_resumable_stall_is_timeout(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(stream_idle_timeout=0.3)
    fs.resumable_run(EVENTS, fail_after=3, fault="stall")
    with pytest.raises(APITimeoutError):
        await asyncio.wait_for(collect(client.runs.stream("T", "agent")), 5)
    assert len(fs.requests) == 1


async def test_runs_join_stream_resumes(fs: FaultServer, client: Client) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[3, 2], fault="reset")
    on_reconnect = Reconnects()
    stream = client.runs.join_stream("T", "R", on_reconnect=on_reconnect)
    parts = await asyncio.wait_for(collect(stream), 5)
    assert_exactly_once(parts, run)
    # The first GET is the join itself (no id: from the start), then the resumes.
    assert run.last_event_ids.pop(0) is None
    assert_resumed_after(run, on_reconnect.calls)
    assert fs.count("POST") == 0


async def test_runs_join_stream_after_an_id_then_resumes(fs: FaultServer, client: Client) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[2], fault="close", produced=2)
    start = run.events[1].id
    on_reconnect = Reconnects()
    parts = await asyncio.wait_for(
        collect(client.runs.join_stream("T", "R", last_event_id=start, on_reconnect=on_reconnect)),
        5,
    )
    assert [p.id for p in parts] == [e.id for e in run.events[2:]]
    assert run.last_event_ids.pop(0) == start
    assert on_reconnect.calls == [(1, run.events[3].id)]
    assert_resumed_after(run, on_reconnect.calls, start=start)


async def test_threads_join_stream_resumes(fs: FaultServer, client: Client) -> None:
    if not hasattr(client.threads, "join_stream"):
        pytest.skip("threads.join_stream not implemented")
    run = fs.resumable_run(EVENTS, fail_after=[3], fault="reset", location="/threads/T/stream")
    on_reconnect = Reconnects()
    stream = await client.threads.join_stream("T", on_reconnect=on_reconnect)
    parts = await asyncio.wait_for(collect(stream), 5)
    assert_exactly_once(parts, run)
    assert run.last_event_ids.pop(0) is None
    assert on_reconnect.calls == [(1, run.events[2].id)]
    # The thread stream refuses `Last-Event-ID: -1`; otherwise the same rule.
    assert_resumed_after(run, on_reconnect.calls, replays_all=False)
    assert fs.last("GET", "/threads/T/stream").header("x-api-key") == API_KEY


async def test_stateless_stream_is_not_resumable(fs: FaultServer, client: Client) -> None:
    """This server names no thread for stateless runs (Content-Location: /runs/R) and has no
    route to rejoin them: the break is an APIConnectionError, and nothing is tried."""
    fs.resumable_run(EVENTS, fail_after=3, fault="reset", stateless=True)
    on_reconnect = Reconnects()
    stream = client.runs.stream(None, "agent", stream_resumable=True, on_reconnect=on_reconnect)
    parts: list[StreamPart] = []
    with pytest.raises(APIConnectionError):
        async with stream:
            async for part in stream:
                parts.append(part)
    assert len(parts) == 3
    assert stream.run_id == "R" and stream.thread_id is None
    assert on_reconnect.calls == []
    assert [r.method for r in fs.requests] == ["POST"]


async def test_thread_stream_without_content_location_still_resumes(
    fs: FaultServer, client: Client
) -> None:
    numbered = [event(e.event, e.data, f"{i}-0") for i, e in enumerate(EVENTS)]
    fs.route("POST", CREATE, sse(numbered, after=3, end="reset"))  # a proxy dropped the header
    fs.route("GET", JOIN, replay_after(numbered))
    parts = await asyncio.wait_for(
        collect(client.runs.stream("T", "agent", stream_resumable=True)), 5
    )
    assert [p.id for p in parts] == [e.id for e in numbered]
    assert fs.last("GET", JOIN).header("last-event-id") == "1-0"


SHARED = [
    event("metadata", {"run_id": "R"}, "100-0"),
    event("values", {"n": 1}, "200-0"),
    event("values", {"n": 2}, "200-0"),
    event("values", {"n": 3}, "200-0"),
    event("values", {"n": 4}, "200-0"),
    event("values", {"n": 5}, "300-0"),
    event("values", {"n": 6}, "400-0"),
    event("values", {"n": 7}, "400-0"),
]
"""Ids as the in-memory Agent Server stamps them: `<ms>-0`, shared by events of one ms."""


@pytest.mark.parametrize(
    "breaks",
    [[1], [2], [3], [5], [7], [3, 2], [2, 3, 2]],
    ids=lambda b: "-".join(map(str, b)),
)
async def test_shared_event_ids_still_exactly_once(
    fs: FaultServer, client: Client, breaks: list[int]
) -> None:
    """A replay starts strictly after the id it is given; when several events share that id,
    resuming from it would lose the rest of the group."""
    create = iter(breaks)
    fs.route(
        "POST",
        CREATE,
        sse(SHARED, after=next(create), end="reset", content_location="/threads/T/runs/R"),
    )
    joins = [replay_after(SHARED, after=n, end="reset") for n in create]
    fs.route("GET", JOIN, *joins, replay_after(SHARED))
    parts = await asyncio.wait_for(
        collect(client.runs.stream("T", "agent", stream_resumable=True)), 5
    )
    assert [(p.data, p.id) for p in parts] == [(e.data, e.id) for e in SHARED]


# --------------------------------------------------------------------------- wait + join

FINAL = {"messages": ["done"], "n": 7}
WAIT = "/threads/T/runs/wait"
JOIN_WAIT = "/threads/T/runs/R/join"
BIG = {"messages": ["partial"], "pad": "p" * 400}


RUN_STATUS = "/threads/T/runs/R"


def run_status(status: str) -> Any:
    return json_response(200, {"run_id": "R", "thread_id": "T", "status": status})


@pytest.mark.parametrize("on_disconnect", ["continue", None])
@pytest.mark.parametrize("end", ["close", "reset"])
async def test_wait_rejoins_after_a_drop(
    fs: FaultServer, client: Client, end: Any, on_disconnect: Any
) -> None:
    fs.route(
        "POST",
        WAIT,
        wait_response(BIG, content_location="/threads/T/runs/R", truncate=25, end=end),
    )
    fs.route("GET", JOIN_WAIT, json_response(200, FINAL))
    fs.route("GET", RUN_STATUS, run_status("success"))
    result = await asyncio.wait_for(
        client.runs.wait("T", "agent", input={}, on_disconnect=on_disconnect), 5
    )
    assert result == FINAL
    assert fs.count("POST", WAIT) == 1
    assert fs.count("GET", JOIN_WAIT) == 1
    assert fs.count("GET", RUN_STATUS) == 1  # the run went on: its status says success
    assert fs.last("GET", JOIN_WAIT).header("x-api-key") == API_KEY


async def test_wait_rejoins_after_silence(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(timeout=httpx.Timeout(5, read=0.3))
    fs.route(
        "POST",
        WAIT,
        wait_response(BIG, content_location="/threads/T/runs/R", truncate=0, end="stall"),
    )
    fs.route("GET", JOIN_WAIT, json_response(200, FINAL))
    fs.route("GET", RUN_STATUS, run_status("success"))
    result = await asyncio.wait_for(client.runs.wait("T", "agent"), 5)
    assert result == FINAL
    assert fs.count("GET", JOIN_WAIT) == 1


async def test_wait_rejoin_that_keeps_failing_is_bounded(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(reconnect=ReconnectPolicy(max_wait=0.5, initial_delay=0.05))
    fs.route(
        "POST",
        WAIT,
        wait_response(BIG, content_location="/threads/T/runs/R", truncate=25, end="close"),
    )
    fs.always("GET", JOIN_WAIT, close_connection(reset=True))
    calls: list[Any] = []
    with pytest.raises(ReconnectExhaustedError) as info:
        await asyncio.wait_for(
            client.runs.wait("T", "agent", on_reconnect=lambda *a: calls.append(a)), 5
        )
    assert API_KEY not in str(info.value)
    assert (info.value.run_id, info.value.thread_id) == ("R", "T")
    assert 0.4 <= info.value.waited <= 3.0  # a slow attempt may run past the deadline
    assert fs.count("POST", WAIT) == 1
    assert 2 <= fs.count("GET", JOIN_WAIT) == len(calls) <= 20  # once each: no hidden retries


async def test_wait_whose_run_the_server_cancelled_raises_run_cancelled(
    fs: FaultServer, client: Client
) -> None:
    fs.route(
        "POST",
        WAIT,
        wait_response(BIG, content_location="/threads/T/runs/R", truncate=25, end="close"),
    )
    fs.route("GET", JOIN_WAIT, json_response(200, {"messages": ["half-done"]}))
    fs.route("GET", RUN_STATUS, run_status("interrupted"))
    with pytest.raises(RunCancelledError) as info:
        await asyncio.wait_for(client.runs.wait("T", "agent", on_disconnect="cancel"), 5)
    assert (info.value.run_id, info.value.thread_id, info.value.status) == ("R", "T", "interrupted")
    assert "half-done" not in str(info.value)  # the half-finished state is not passed off


STATELESS_WAIT = "/runs/wait"
GONE = {"__error__": {"error": "HTTPException", "message": "404: Run not found"}}


async def test_stateless_wait_whose_thread_was_deleted_is_outcome_unknown(
    fs: FaultServer, client: Client
) -> None:
    # The server deletes a stateless run's temporary thread when the run ends: its join then
    # says "Run not found" (a 200), which used to be reported as RunFailedError.
    fs.route(
        "POST",
        STATELESS_WAIT,
        wait_response(BIG, content_location="/threads/TMP/runs/R", truncate=25, end="close"),
    )
    fs.route("GET", "/threads/TMP/runs/R/join", json_response(200, GONE))
    fs.route("GET", "/threads/TMP/runs/R", json_response(404, {"detail": "Thread not found"}))
    with pytest.raises(RunOutcomeUnknownError) as info:
        await asyncio.wait_for(client.runs.wait(None, "agent"), 5)
    assert not isinstance(info.value, RunFailedError)
    assert (info.value.run_id, info.value.thread_id) == ("R", "TMP")


async def test_join_rejoins_after_a_drop_and_checks_the_outcome(
    fs: FaultServer, client: Client
) -> None:
    # The first join is an ordinary GET (2 retries); then the reconnect policy takes over.
    fs.route(
        "GET",
        JOIN_WAIT,
        wait_response(BIG, truncate=25, end="reset"),
        close_connection(reset=True),
        close_connection(reset=True),
        close_connection(reset=True),
        json_response(200, FINAL),
    )
    fs.route("GET", RUN_STATUS, run_status("success"))
    calls: list[Any] = []
    result = await asyncio.wait_for(
        client.runs.join("T", "R", on_reconnect=lambda *a: calls.append(a)), 5
    )
    assert result == FINAL
    assert fs.count("GET", JOIN_WAIT) == 5
    assert calls == [(1, None), (2, None)]
    assert fs.count("GET", RUN_STATUS) == 1  # after a drop, the run's status is checked


async def test_join_of_a_run_stopped_while_rejoining_raises_run_cancelled(
    fs: FaultServer, client: Client
) -> None:
    fs.route(
        "GET",
        JOIN_WAIT,
        *[close_connection(reset=True)] * 3,
        json_response(200, {"messages": ["half-done"]}),
    )
    fs.route("GET", RUN_STATUS, run_status("interrupted"))
    with pytest.raises(RunCancelledError):
        await asyncio.wait_for(client.runs.join("T", "R"), 5)
