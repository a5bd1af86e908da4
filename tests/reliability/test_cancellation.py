"""Cancellation: a cancelled task, a closed stream or an abandoned one frees its connection.

The witness is the server: `RequestRecord.client_closed` turns true when the client closes the
connection while the response is still being served.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from langgraph_client import Client, _retry, get_sync_client
from tests.faultserver import FaultServer, event, json_response, sse, stall, wait_response

from .conftest import EVENTS, ClientFactory

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

WAIT = "/threads/T/runs/wait"
STREAM = "/threads/T/runs/stream"
SLOW_EVENTS = [event("metadata", {"run_id": "R"}), *(event("values", {"n": n}) for n in range(50))]


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """Only reference counting frees objects: what "the next event-loop turn" relies on."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


async def _cancel_promptly(task: asyncio.Task[object]) -> float:
    """Cancel `task`, check it ends with CancelledError, and return how long that took."""
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)
    return time.monotonic() - started


@pytest.mark.async_only  # task cancellation
async def test_cancel_wait_before_headers_closes_the_connection(
    fs: FaultServer, client: Client
) -> None:
    fs.route("POST", WAIT, stall())
    task = asyncio.create_task(client.runs.wait("T", "agent"))
    await fs.wait_for_requests(1, "POST", WAIT)
    assert await _cancel_promptly(task) < 0.5
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
    # Closing the connection is not cancelling the run: the client sent nothing else.
    assert fs.count() == 1


@pytest.mark.async_only  # task cancellation
async def test_cancel_wait_while_reading_the_body(fs: FaultServer, client: Client) -> None:
    fs.route("POST", WAIT, wait_response({"x": 1}, heartbeats=100, interval=0.05))
    task = asyncio.create_task(client.runs.wait("T", "agent"))
    await fs.wait_until(lambda: fs.count() == 1 and fs.last().heartbeats_sent >= 2)
    assert await _cancel_promptly(task) < 0.5
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


@pytest.mark.async_only  # task cancellation
async def test_cancel_task_iterating_a_stream(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
    got: list[object] = []

    async def consume() -> None:
        async for part in client.runs.stream("T", "agent"):
            got.append(part)

    task = asyncio.create_task(consume())
    await fs.wait_until(lambda: len(got) >= 2)
    assert await _cancel_promptly(task) < 0.5
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
    assert fs.last().events_sent < len(SLOW_EVENTS)
    assert fs.count() == 1


@pytest.mark.async_only  # task cancellation
async def test_cancel_stream_before_headers(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, stall())

    async def consume() -> None:
        async with client.runs.stream("T", "agent") as stream:
            async for _ in stream:
                pass

    task = asyncio.create_task(consume())
    await fs.wait_for_requests(1, "POST", STREAM)
    assert await _cancel_promptly(task) < 0.5
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


@pytest.mark.async_only  # task cancellation
async def test_cancel_during_reconnect_backoff(
    fs: FaultServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_retry, "INITIAL_DELAY", 30.0)
    monkeypatch.setattr(_retry, "MAX_DELAY", 30.0)
    fs.resumable_run(EVENTS, fail_after=2, fault="reset")
    reconnecting = asyncio.Event()

    async def consume() -> None:
        stream = client.runs.stream(
            "T", "a", stream_resumable=True, on_reconnect=lambda *_: reconnecting.set()
        )
        async with stream:
            async for _ in stream:
                pass

    task = asyncio.create_task(consume())
    await asyncio.wait_for(reconnecting.wait(), 5)
    assert await _cancel_promptly(task) < 0.5
    assert fs.count("GET") == 0  # no reconnect was sent after the cancel


async def test_leaving_async_with_closes_at_once(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
    async with client.runs.stream("T", "agent") as stream:
        async for _ in stream:
            break
        response = stream.response
        assert response is not None
    assert response.is_closed  # deterministic, not left to the garbage collector
    assert "closed" in repr(stream)
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
    assert fs.last().events_sent < len(SLOW_EVENTS)


async def test_aclose_closes_and_is_idempotent(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
    stream = client.runs.stream("T", "agent")
    first = await stream.__anext__()
    assert first.event == "metadata"
    await stream.aclose()
    await stream.aclose()
    assert stream.response is not None and stream.response.is_closed
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()


async def test_aclose_before_iterating_sends_nothing(fs: FaultServer, client: Client) -> None:
    stream = client.runs.stream("T", "agent")
    await stream.aclose()
    parts = [part async for part in stream]
    assert parts == []
    await asyncio.sleep(0.05)
    assert fs.count() == 0


async def test_error_inside_async_with_closes(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
    with pytest.raises(RuntimeError, match="user code"):
        async with client.runs.stream("T", "agent") as stream:
            async for _ in stream:
                raise RuntimeError("user code")
    assert stream.response is not None and stream.response.is_closed
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


@pytest.mark.usefixtures("no_cycle_collector")
async def test_bare_break_releases_the_connection(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
    async for _ in client.runs.stream("T", "agent"):
        break
    for _ in range(5):
        await asyncio.sleep(0)
    await fs.wait_until(lambda: fs.last().client_closed, timeout=1)


async def test_bare_break_released_once_collected(fs: FaultServer, client: Client) -> None:
    """What works today (and must keep working): the connection goes when the stream is
    collected, by whichever collector."""
    fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
    async for _ in client.runs.stream("T", "agent"):
        break
    gc.collect()
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


async def test_abandoned_stream_is_finalized_without_loop_errors(
    fs: FaultServer, client: Client
) -> None:
    """However an abandoned stream is collected, closing it raises nothing into the loop (a
    nested generator design once logged "aclose(): asynchronous generator is already
    running" here)."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        fs.route("POST", STREAM, sse(SLOW_EVENTS, interval=0.05))
        gc.disable()
        async for _ in client.runs.stream("T", "agent"):
            break
        await asyncio.sleep(0.2)
        gc.enable()
        gc.collect()
        await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
        for _ in range(5):
            await asyncio.sleep(0.01)
            gc.collect()  # a failed finalizer task reports when it is collected
    finally:
        gc.enable()
        loop.set_exception_handler(previous)
    assert [str(c.get("exception") or c.get("message")) for c in errors] == []


async def test_fifty_early_breaks_with_async_with_do_not_exhaust_the_pool(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(limits=httpx.Limits(max_connections=5), timeout=httpx.Timeout(5, pool=1))
    fs.always("POST", STREAM, sse(SLOW_EVENTS, interval=0.02))
    fs.always("GET", "/ok", json_response(200, {"ok": True}))
    for _ in range(50):
        async with client.runs.stream("T", "agent") as stream:
            async for _ in stream:
                break
    assert await asyncio.wait_for(client.health(), 5) == {"ok": True}
    assert fs.count("POST", STREAM) == 50


@pytest.mark.usefixtures("no_cycle_collector")
async def test_fifty_bare_breaks_do_not_exhaust_the_pool(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(limits=httpx.Limits(max_connections=5), timeout=httpx.Timeout(5, pool=0.5))
    fs.always("POST", STREAM, sse(SLOW_EVENTS, interval=0.02))
    fs.always("GET", "/ok", json_response(200, {"ok": True}))
    try:
        for _ in range(50):
            async for _ in client.runs.stream("T", "agent"):
                break
            for _ in range(3):
                await asyncio.sleep(0)
        assert await asyncio.wait_for(client.health(), 5) == {"ok": True}
        assert fs.count("POST", STREAM) == 50
    finally:
        # Free what leaked so the next test starts clean.
        gc.collect()
        with contextlib.suppress(TimeoutError):
            await fs.wait_until(lambda: all(r.ended for r in fs.requests), timeout=1)


def test_sync_close_from_another_thread_ends_a_blocked_read_at_once(fs: FaultServer) -> None:
    """The sync stream's iterating thread sits in a blocking read of a silent stream; `close()`
    from another thread shuts the socket down, so that read ends at once (closing the socket
    alone would leave it blocked until the next byte or the idle timeout)."""
    fs.route("POST", STREAM, sse([event("metadata", {"run_id": "R"})], end="stall"))
    got: list[object] = []
    errors: list[BaseException] = []
    with get_sync_client(url=fs.url, api_key=None, stream_idle_timeout=10) as client:
        stream = client.runs.stream("T", "agent")

        def consume() -> None:
            try:
                for part in stream:
                    got.append(part)
            except BaseException as exc:
                errors.append(exc)

        reader = threading.Thread(target=consume)
        reader.start()
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # the reader is now blocked waiting for the next byte
        started = time.monotonic()
        stream.close()
        reader.join(5)
        took = time.monotonic() - started
    assert not reader.is_alive()
    assert took < 1.0, took
    assert errors == [] and len(got) == 1  # the iteration simply ended
