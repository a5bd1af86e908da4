"""Stream resume, `wait` and `join` through a server outage, on fake time: one `ReconnectPolicy`
for all three (issue 8). The server is unreachable (connection refused) from the break until
`outage` seconds later; every wait goes through `_retry.sleep`, which only moves the fake clock.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    ReconnectExhaustedError,
    ReconnectPolicy,
    RunCancelledError,
    RunFailedError,
    RunOutcomeUnknownError,
    StreamLostError,
    _retry,
)
from tests.faultserver import SSEEvent, replay

from .conftest import MockFactory, RecordingStream, sse_response

pytestmark = pytest.mark.both_clients

PHASE_2 = "issue 8 phase 2: wired into runs.py/_stream.py after the sync client's refactor"
RUN = [
    SSEEvent("metadata", {"run_id": "R", "attempt": 1}, "1700000000000-0"),
    *(SSEEvent("values", {"n": n}, f"170000000000{n}-0") for n in range(1, 8)),
]
FINAL = {"messages": ["done"], "n": 7}


class FakeTime:
    """A clock that moves only when the client sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sync_sleep(seconds)

    def sync_sleep(self, seconds: float, until: Any = None) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    ft = FakeTime()
    monkeypatch.setattr(_retry, "now", ft.clock)
    monkeypatch.setattr(_retry, "sleep", ft.sleep)
    monkeypatch.setattr(_retry, "sync_sleep", ft.sync_sleep)
    return ft


class Outage:
    """A server whose first answer breaks, then refuses connections until `until` (fake s)."""

    def __init__(self, ft: FakeTime, until: float, answer: Any) -> None:
        self.ft = ft
        self.until = until
        self.answer = answer
        self.refused = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.answer.started and self.ft.now < self.until:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        self.answer.started = True
        result: httpx.Response = self.answer(request)
        return result


class StreamRun:
    """The create POST sends 3 events and breaks; joins replay after `Last-Event-ID`."""

    started = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        location = {"content-location": "/threads/T/runs/R"}
        if request.method == "POST":
            broken = RecordingStream([e.encode() for e in RUN[:3]], error=httpx.ReadError("reset"))
            return sse_response(stream=broken, headers=location)
        events = replay(RUN, request.headers.get("last-event-id"))
        return sse_response(*[e.encode() for e in events], headers=location)


async def test_stream_outlasts_a_75_s_outage_by_default(
    mock: MockFactory, fake_time: FakeTime
) -> None:
    server = Outage(fake_time, 75.0, StreamRun())
    client, _ = mock(server)
    calls: list[tuple[int, str | None]] = []
    stream = client.runs.stream(
        "T", "agent", stream_resumable=True, on_reconnect=lambda *a: calls.append(a)
    )
    async with stream:
        parts = [p async for p in stream]
    assert [p.id for p in parts] == [e.id for e in RUN]  # each once, in order
    assert server.refused >= 15
    assert max(fake_time.sleeps) <= 4.0
    assert calls[0] == (1, RUN[2].id) and len(calls) == server.refused + 1


async def test_stream_gives_up_after_the_budget_with_a_typed_error(
    mock: MockFactory, fake_time: FakeTime
) -> None:
    server = Outage(fake_time, 10_000.0, StreamRun())
    client, _ = mock(server)
    stream = client.runs.stream("T", "agent", stream_resumable=True)
    with pytest.raises(ReconnectExhaustedError) as info:
        async with stream:
            [p async for p in stream]
    exc = info.value
    assert (exc.run_id, exc.thread_id, exc.last_event_id) == ("R", "T", RUN[2].id)
    assert 89.0 <= exc.waited <= 91.0 and 89.0 <= fake_time.now <= 91.0
    assert isinstance(exc, StreamLostError) and isinstance(exc, APIConnectionError)


@pytest.mark.parametrize("where", ["client", "call"])
async def test_stream_policy_set_on_the_client_or_the_call(
    mock: MockFactory, fake_time: FakeTime, where: str
) -> None:
    server = Outage(fake_time, 10_000.0, StreamRun())
    brief = ReconnectPolicy(max_wait=10.0)
    if where == "client":
        client, _ = mock(server, reconnect=brief)
        stream = client.runs.stream("T", "agent", stream_resumable=True)
    else:
        client, _ = mock(server)
        stream = client.runs.stream("T", "agent", stream_resumable=True, reconnect=brief)
    with pytest.raises(ReconnectExhaustedError):
        async with stream:
            [p async for p in stream]
    assert 9.0 <= fake_time.now <= 11.0


class WaitRun:
    """`POST .../wait` whose body breaks; then the run's status and its join."""

    started = False

    def __init__(self, status: str, *, thread: str = "T", path: str = "/threads/T/runs/wait"):
        self.status = status
        self.thread = thread
        self.path = path
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        run_path = f"/threads/{self.thread}/runs/R"
        if request.method == "POST":
            broken = RecordingStream([b"\n", b'{"messa'], error=httpx.ReadError("reset"))
            headers = {"content-type": "application/json", "content-location": run_path}
            return httpx.Response(200, stream=broken, headers=headers)
        if self.status == "deleted":  # a stateless run's temporary thread, gone
            if request.url.path.endswith("/join"):
                gone = {"__error__": {"error": "HTTPException", "message": "404: Run not found"}}
                return httpx.Response(200, json=gone)
            return httpx.Response(404, json={"detail": f"Thread with ID {self.thread} not found"})
        if request.url.path == run_path:
            return httpx.Response(
                200, json={"run_id": "R", "thread_id": "T", "status": self.status}
            )
        if request.url.path == f"{run_path}/join":
            return httpx.Response(200, json=FINAL)
        return httpx.Response(404, json={"detail": "no such route"})


@pytest.mark.parametrize("on_disconnect", [None, "continue", "cancel"])
async def test_wait_rejoins_through_an_outage_and_returns_the_result(
    mock: MockFactory, fake_time: FakeTime, on_disconnect: Any
) -> None:
    run = WaitRun("success")
    client, _ = mock(Outage(fake_time, 70.0, run))
    assert await client.runs.wait("T", "agent", input={}, on_disconnect=on_disconnect) == FINAL
    assert run.seen.count("POST /threads/T/runs/wait") == 1


async def test_wait_whose_run_the_server_cancelled_raises_that(
    mock: MockFactory, fake_time: FakeTime
) -> None:
    client, _ = mock(Outage(fake_time, 3.0, WaitRun("interrupted")))
    with pytest.raises(RunCancelledError) as info:
        await client.runs.wait("T", "agent", input={}, on_disconnect="cancel")
    assert (info.value.run_id, info.value.thread_id) == ("R", "T")
    assert info.value.status == "interrupted"


async def test_stateless_wait_whose_thread_is_gone_is_not_a_failure(
    mock: MockFactory, fake_time: FakeTime
) -> None:
    run = WaitRun("deleted", thread="TMP", path="/runs/wait")
    client, _ = mock(Outage(fake_time, 3.0, run))
    with pytest.raises(RunOutcomeUnknownError) as info:
        await client.runs.wait(None, "agent", input={})
    assert not isinstance(info.value, RunFailedError)
    assert (info.value.run_id, info.value.thread_id) == ("R", "TMP")


async def test_wait_gives_up_after_the_budget(mock: MockFactory, fake_time: FakeTime) -> None:
    client, _ = mock(Outage(fake_time, 10_000.0, WaitRun("success")))
    with pytest.raises(ReconnectExhaustedError) as info:
        await client.runs.wait("T", "agent", input={})
    assert (info.value.run_id, info.value.thread_id) == ("R", "T")
    assert 89.0 <= fake_time.now <= 91.0


class JoinRun:
    """`GET .../join` whose first body breaks, then answers."""

    started = False

    def __init__(self) -> None:
        self.joins = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/join"):
            self.joins += 1
            if self.joins == 1:
                broken = RecordingStream([b"\n"], error=httpx.ReadError("reset"))
                headers = {"content-type": "application/json"}
                return httpx.Response(200, stream=broken, headers=headers)
            return httpx.Response(200, json=FINAL)
        return httpx.Response(200, json={"run_id": "R", "thread_id": "T", "status": "success"})


async def test_join_rejoins_through_an_outage(mock: MockFactory, fake_time: FakeTime) -> None:
    run = JoinRun()
    client, _ = mock(Outage(fake_time, 70.0, run))
    calls: list[Any] = []
    assert await client.runs.join("T", "R", on_reconnect=lambda *a: calls.append(a)) == FINAL
    assert run.joins == 2 and len(calls) >= 10


async def test_join_gives_up_after_the_budget(mock: MockFactory, fake_time: FakeTime) -> None:
    client, _ = mock(Outage(fake_time, 10_000.0, JoinRun()))
    with pytest.raises(ReconnectExhaustedError) as info:
        await client.runs.join("T", "R")
    assert (info.value.run_id, info.value.thread_id) == ("R", "T")
    assert 89.0 <= fake_time.now <= 91.0
