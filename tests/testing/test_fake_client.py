"""Both clients against the fake: what a user's tests do with it, faults included.

Marked `both_clients`: each test runs with the async client and with the generated sync client
(over `fake.client()`, the sync transport), see tests/clients.py."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from langgraph_client import (
    APIConnectionError,
    APITimeoutError,
    Client,
    ConflictError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    RunCancelledError,
    RunFailedError,
)
from langgraph_client.testing import FakeAgentServer, message_chunks
from tests.clients import open_client

HI = {"messages": [{"role": "user", "content": "hi"}]}
ECHO = {"messages": [*HI["messages"], {"role": "assistant", "content": "echo: hi"}]}


@pytest.fixture
def fake() -> FakeAgentServer:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    return fake


pytestmark = pytest.mark.both_clients


@contextlib.asynccontextmanager
async def connect(fake: FakeAgentServer, flavour: str, **kwargs: Any) -> AsyncIterator[Client]:
    """A client of `flavour` wired to the fake (the sync one behind the async view)."""
    kwargs.setdefault("api_key", "sk-SECRET")
    http: Any = fake.async_client() if flavour == "async" else fake.client()
    try:
        async with open_client(flavour, url="http://agent.test", http_client=http, **kwargs) as c:
            yield c
    finally:
        await http.aclose() if flavour == "async" else http.close()


@pytest.fixture
async def client(fake: FakeAgentServer, flavour: str) -> AsyncIterator[Client]:
    async with connect(fake, flavour) as client:
        yield client


async def parts(stream: Any) -> list[tuple[str, Any]]:
    async with stream:
        return [(part.event, part.data) async for part in stream]


async def test_wait_returns_the_result_and_records_the_run(
    fake: FakeAgentServer, client: Client
) -> None:
    fake.on_run("agent", result=ECHO)
    seen: list[Any] = []
    assert await client.runs.wait(None, "agent", input=HI, on_run_created=seen.append) == ECHO
    (run,) = fake.runs
    assert run["input"] == HI and run["endpoint"] == "wait" and run["status"] == "success"
    assert seen == [{"run_id": run["run_id"], "thread_id": run["thread_id"]}]
    assert fake.requests[0].header("x-api-key") == "***"


async def test_stream_modes_and_run_id_before_the_first_part(
    fake: FakeAgentServer, client: Client
) -> None:
    fake.on_run(
        "agent",
        events=[("updates", {"respond": ECHO}), ("custom", {"n": 1}), ("values", ECHO)],
    )
    thread = await client.threads.create()
    seen: list[Any] = []
    stream = client.runs.stream(
        thread["thread_id"], "agent", input=HI, stream_mode=["updates"], on_run_created=seen.append
    )
    assert await parts(stream) == [
        ("metadata", {"run_id": stream.run_id, "attempt": 1}),
        ("updates", {"respond": ECHO}),
    ]
    assert seen == [{"run_id": stream.run_id, "thread_id": thread["thread_id"]}]
    assert (await client.threads.get(thread["thread_id"]))["values"] == ECHO


async def test_token_by_token_messages(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", events=message_chunks(["echo:", " ", "hi"]))
    got = await parts(client.runs.stream(None, "agent", input=HI, stream_mode="messages-tuple"))
    assert "".join(data[0]["content"] for name, data in got if name == "messages") == "echo: hi"
    assert {data[1]["langgraph_node"] for name, data in got if name == "messages"} == {"model"}


async def test_interrupt_then_resume_with_a_command(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", result=HI, interrupt={"question": "approve?"}, times=1)
    fake.on_run("agent", result=ECHO, match=lambda run: run["command"] == {"resume": "yes"})
    thread_id = (await client.threads.create())["thread_id"]
    first = await client.runs.wait(thread_id, "agent", input=HI)
    assert isinstance(first, dict)
    assert first["__interrupt__"][0]["value"] == {"question": "approve?"}
    state = await client.threads.get_state(thread_id)
    assert state["interrupts"][0]["value"] == {"question": "approve?"}
    assert (await client.threads.get(thread_id))["status"] == "interrupted"
    assert await client.runs.wait(thread_id, "agent", command={"resume": "yes"}) == ECHO
    assert (await client.threads.get(thread_id))["status"] == "idle"
    assert [run["command"] for run in fake.runs] == [None, {"resume": "yes"}]


async def test_failed_runs_raise_run_failed_error(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", events=[("values", HI)], error=ValueError("boom"))
    thread_id = (await client.threads.create())["thread_id"]
    with pytest.raises(RunFailedError) as info:
        await client.runs.wait(thread_id, "agent", input=HI)
    assert (info.value.error, info.value.message) == ("ValueError", "boom")
    assert info.value.thread_id == thread_id and info.value.run_id == fake.runs[0]["run_id"]
    stream = client.runs.stream(None, "agent", input=HI, raise_error=True)
    with pytest.raises(RunFailedError, match="boom"):
        await parts(stream)
    got = await parts(client.runs.stream(None, "agent", input=HI))
    assert got[-1] == ("error", {"error": "ValueError", "message": "boom"})
    assert (await client.threads.get(thread_id))["status"] == "error"


async def test_subgraph_events(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", events=[("updates", {"outer": {}}), ("updates|inner:t1", {"x": {}})])
    got = await parts(
        client.runs.stream(None, "agent", stream_mode="updates", stream_subgraphs=True)
    )
    assert [name for name, _ in got] == ["metadata", "updates", "updates|inner:t1"]


async def test_background_run_join_and_join_stream(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", events=[("custom", {"i": i}) for i in range(3)], result=ECHO)
    thread_id = (await client.threads.create())["thread_id"]
    run = await client.runs.create(
        thread_id, "agent", input=HI, stream_mode="custom", stream_resumable=True
    )
    assert run["status"] == "pending"
    assert await client.runs.join(thread_id, run["run_id"]) == ECHO
    replay = await parts(client.runs.join_stream(thread_id, run["run_id"], last_event_id="-1"))
    assert [data for name, data in replay if name == "custom"] == [{"i": i} for i in range(3)]
    assert (await client.runs.get(thread_id, run["run_id"]))["status"] == "success"


async def test_reject_on_a_busy_thread_is_a_conflict_error(
    fake: FakeAgentServer, client: Client
) -> None:
    fake.on_run("agent", interval=2)
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.create(thread_id, "agent", input=HI)
    with pytest.raises(ConflictError):
        await client.runs.create(thread_id, "agent", input=HI, multitask_strategy="reject")
    assert len(fake.runs) == 1


async def test_cancel_stops_a_stream(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", events=[("custom", {"i": i}) for i in range(50)], interval=0.05)
    thread_id = (await client.threads.create())["thread_id"]
    got = []
    start = time.monotonic()
    async with client.runs.stream(thread_id, "agent", stream_mode="custom") as stream:
        async for part in stream:
            got.append(part)
            if len(got) == 3:
                assert stream.run_id is not None
                await client.runs.cancel(thread_id, stream.run_id)
    assert len(got) == 3 and time.monotonic() - start < 1.0
    assert fake.runs[0]["status"] == "interrupted"


async def test_unknown_thread_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError):
        await client.threads.get("00000000-0000-0000-0000-000000000000")


# ---------------------------------------------------------------- faults


async def test_retry_after_503_on_a_read(fake: FakeAgentServer, client: Client) -> None:
    thread_id = fake.add_thread()["thread_id"]
    fake.fail(503, method="GET", path="/threads/*", retry_after=0, times=2)
    assert (await client.threads.get(thread_id))["thread_id"] == thread_id
    assert [r.status for r in fake.requests] == [503, 503, 200]
    assert fake.requests[0].header("x-api-key") == "***"


async def test_run_creation_is_not_retried_on_429(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", result=ECHO)
    fake.fail(429, path="/runs/wait", retry_after=0)
    with pytest.raises(RateLimitError):
        await client.runs.wait(None, "agent", input=HI)
    assert fake.runs == [] and len(fake.requests) == 1
    assert await client.runs.wait(None, "agent", input=HI) == ECHO  # the fault was used up


async def test_html_500_is_an_internal_server_error(fake: FakeAgentServer, client: Client) -> None:
    fake.fail(500, html=True, times=None)
    with pytest.raises(InternalServerError) as info:
        await client.with_options(max_retries=0).threads.search()
    assert info.value.status_code == 500
    assert "sk-SECRET" not in str(info.value)


async def test_dropped_stream_resumes_exactly_once(fake: FakeAgentServer, client: Client) -> None:
    events = [("custom", {"i": i}) for i in range(6)]
    fake.on_run("agent", events=events, interval=0.01)
    fake.drop(after_events=3, path="/threads/*/runs/stream")
    thread_id = (await client.threads.create())["thread_id"]
    reconnects: list[Any] = []
    stream = client.runs.stream(
        thread_id,
        "agent",
        stream_mode="custom",
        stream_resumable=True,
        on_reconnect=lambda attempt, last: reconnects.append((attempt, last)),
    )
    got = await parts(stream)
    assert [data for name, data in got if name == "custom"] == [{"i": i} for i in range(6)]
    assert len(reconnects) == 1
    rejoin = fake.requests[-1]
    assert rejoin.method == "GET" and rejoin.path.endswith("/stream")
    assert rejoin.header("last-event-id") is not None


async def test_silent_stream_past_the_idle_timeout_resumes(
    fake: FakeAgentServer, flavour: str
) -> None:
    fake.on_run("agent", events=[("custom", {"i": i}) for i in range(3)], interval=0.05)
    fake.stall(5, after_events=1, path="/threads/*/runs/stream")
    async with connect(fake, flavour, stream_idle_timeout=0.2) as client:
        thread_id = (await client.threads.create())["thread_id"]
        start = time.monotonic()
        stream = client.runs.stream(thread_id, "agent", stream_mode="custom", stream_resumable=True)
        got = await parts(stream)
    assert [data for name, data in got if name == "custom"] == [{"i": i} for i in range(3)]
    assert stream.reconnects == 1 and time.monotonic() - start < 3


async def test_stall_before_the_response_is_a_timeout(fake: FakeAgentServer, flavour: str) -> None:
    fake.stall(5, after_events=None, path="/threads/*", times=None)
    async with connect(fake, flavour, timeout=0.2, max_retries=0) as client:
        with pytest.raises(APITimeoutError):
            await client.threads.get(fake.add_thread()["thread_id"])


async def test_dropped_wait_rejoins_a_run_that_continues(
    fake: FakeAgentServer, client: Client
) -> None:
    fake.on_run("agent", result=ECHO, interval=0.1)
    fake.drop(path="/threads/*/runs/wait")
    thread_id = (await client.threads.create())["thread_id"]
    result = await client.runs.wait(thread_id, "agent", input=HI, on_disconnect="continue")
    assert result == ECHO
    # The join, then the run's status (it went on: its result is the result).
    assert fake.requests[-2].path.endswith("/join") and fake.runs[0]["status"] == "success"
    assert fake.requests[-1].path.endswith(f"/runs/{fake.runs[0]['run_id']}")


async def test_dropped_wait_cancels_a_run_created_with_on_disconnect_cancel(
    fake: FakeAgentServer, client: Client
) -> None:
    fake.on_run("agent", result=ECHO, interval=0.3)
    fake.drop(path="/threads/*/runs/wait")
    thread_id = (await client.threads.create())["thread_id"]
    with pytest.raises(RunCancelledError) as info:  # an APIConnectionError too
        await client.runs.wait(thread_id, "agent", input=HI, on_disconnect="cancel")
    assert isinstance(info.value, APIConnectionError) and info.value.status == "interrupted"
    assert fake.runs[0]["status"] == "interrupted"


async def test_enqueue_runs_one_after_the_other(fake: FakeAgentServer, client: Client) -> None:
    fake.on_run("agent", events=[("custom", {"i": 1})], interval=0.5)
    thread_id = (await client.threads.create())["thread_id"]
    first = await client.runs.create(thread_id, "agent", input=HI)
    second = await client.runs.create(thread_id, "agent", input=HI)  # enqueue is the default
    assert [r["status"] for r in fake.runs] == ["running", "pending"]
    await client.runs.join(thread_id, second["run_id"])
    assert [r["status"] for r in fake.runs] == ["success", "success"]
    assert first["run_id"] != second["run_id"]


async def test_interrupt_strategy_stops_the_current_run(
    fake: FakeAgentServer, client: Client
) -> None:
    fake.on_run("agent", interval=2)
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.create(thread_id, "agent", input=HI)
    await client.runs.create(thread_id, "agent", input=HI, multitask_strategy="interrupt")
    assert [r["status"] for r in fake.runs] == ["interrupted", "running"]


async def test_heartbeats_keep_a_quiet_stream_alive(flavour: str) -> None:
    fake = FakeAgentServer(heartbeat=0.05)
    fake.add_assistant("agent")
    fake.on_run("agent", events=[("custom", 1)], interval=0.4)
    async with connect(fake, flavour, stream_idle_timeout=0.2) as client:
        stream = client.runs.stream(None, "agent", stream_mode="custom")
        got = await parts(stream)
    assert [name for name, _ in got] == ["metadata", "custom"]  # no break, though 0.4 s apart
    assert stream.reconnects == 0
