"""Timeouts: a client default, a per-call override, separate phases, and the stream idle budget."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from langgraph_client import APITimeoutError, Client, get_client
from tests.faultserver import FaultServer, event, json_response, sse, stall, wait_response

from .conftest import EVENTS, ClientFactory, collect

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

WAIT = "/threads/T/runs/wait"
RUN_PATH = "/threads/T/runs/R"
FINAL = {"values": {"n": 1}}


async def test_documented_defaults(fs: FaultServer) -> None:
    client = get_client(url=fs.url, api_key=None)
    try:
        assert client._http.timeout == httpx.Timeout(connect=5, read=300, write=300, pool=60)
        assert client._http.stream_idle_timeout == 60
        plain = client._http.build_request("GET", "/ok").extensions["timeout"]
        assert plain == {"connect": 5, "read": 300, "write": 300, "pool": 60}
        # On a stream the read budget is the smaller of read and stream_idle_timeout.
        streamed = client._http.build_request("POST", "/runs/stream", stream=True)
        assert streamed.extensions["timeout"]["read"] == 60
    finally:
        await client.aclose()


async def test_stall_before_headers_is_timeout_within_a_second(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(timeout=httpx.Timeout(1, read=0.3))
    fs.route("POST", WAIT, stall())
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        await asyncio.wait_for(client.runs.wait("T", "agent"), 5)
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 1.0
    assert "ReadTimeout" in str(info.value)
    assert fs.count("POST", WAIT) == 1  # a run-creating POST is not sent again
    await fs.wait_until(lambda: fs.last("POST", WAIT).client_closed, timeout=2)


async def test_get_stall_times_out_once_per_attempt(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(timeout=httpx.Timeout(1, read=0.2), max_retries=1)
    fs.always("GET", RUN_PATH, stall())
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await asyncio.wait_for(client.runs.get("T", "R"), 5)
    assert time.monotonic() - started < 1.5
    assert fs.count("GET", RUN_PATH) == 2


@pytest.mark.parametrize("per_call", [httpx.Timeout(5, read=2.0), 2.0])
async def test_per_call_timeout_overrides_the_default(
    fs: FaultServer, make_client: ClientFactory, per_call: httpx.Timeout | float
) -> None:
    client = make_client(timeout=httpx.Timeout(5, read=0.2), max_retries=0)
    fs.route(
        "GET",
        RUN_PATH,
        json_response(200, {"run_id": "R"}, delay=0.5),
        json_response(200, {"run_id": "R"}, delay=0.5),
    )
    assert await client.runs.get("T", "R", timeout=per_call) == {"run_id": "R"}
    with pytest.raises(APITimeoutError):
        await client.runs.get("T", "R")  # the client default still applies elsewhere
    assert fs.count("GET", RUN_PATH) == 2


async def test_per_call_timeout_on_run_calls(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(timeout=httpx.Timeout(5, read=0.2))
    fs.route("POST", WAIT, json_response(200, FINAL, delay=0.5))
    result = await client.runs.wait("T", "agent", timeout=httpx.Timeout(5, read=2))
    assert result == FINAL
    fs.route("POST", "/threads/T/runs/stream", sse(EVENTS[:2], delay=0.5))
    parts = await collect(client.runs.stream("T", "agent", timeout=httpx.Timeout(5, read=2)))
    assert len(parts) == 2


async def test_per_call_timeout_can_be_stricter(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(max_retries=0)
    fs.route("GET", RUN_PATH, json_response(200, {}, delay=0.6))
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await client.runs.get("T", "R", timeout=0.2)
    assert time.monotonic() - started < 0.55


async def test_with_options_timeout(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(timeout=httpx.Timeout(5, read=0.2), max_retries=0)
    fs.route("GET", "/ok", json_response(200, {"ok": 1}, delay=0.5))
    assert await client.with_options(timeout=2).health() == {"ok": 1}


async def test_read_timeout_is_the_gap_not_the_total(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    """The /wait body's newline heartbeats keep a 0.3 s read budget alive for ~1 s."""
    client = make_client(timeout=httpx.Timeout(5, read=0.3))
    fs.route("POST", WAIT, wait_response(FINAL, heartbeats=8, interval=0.12))
    started = time.monotonic()
    assert await client.runs.wait("T", "agent") == FINAL
    assert time.monotonic() - started > 0.9
    assert fs.last("POST", WAIT).heartbeats_sent == 8


async def test_stream_stalled_after_one_event_times_out(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(stream_idle_timeout=0.3)
    fs.route("POST", "/threads/T/runs/stream", sse(EVENTS, after=1, end="stall"))
    stream = client.runs.stream("T", "agent")  # not resumable
    parts = []
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        async with stream:
            async for part in stream:
                parts.append(part)
    assert time.monotonic() - started < 1.5
    assert len(parts) == 1
    assert fs.count() == 1
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


async def test_stream_idle_timeout_wins_over_a_longer_read_timeout(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(timeout=httpx.Timeout(5, read=30), stream_idle_timeout=0.3)
    fs.route("POST", "/runs/stream", sse(EVENTS, after=0, end="stall"))
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await asyncio.wait_for(collect(client.runs.stream(None, "agent")), 5)
    assert time.monotonic() - started < 1.5


async def test_stream_read_timeout_applies_when_idle_timeout_disabled(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(timeout=httpx.Timeout(5, read=0.3), stream_idle_timeout=None)
    fs.route("POST", "/runs/stream", sse(EVENTS, after=1, end="stall"))
    with pytest.raises(APITimeoutError):
        await asyncio.wait_for(collect(client.runs.stream(None, "agent")), 5)


async def test_with_options_stream_idle_timeout(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client()
    fs.route("POST", "/runs/stream", sse(EVENTS, after=1, end="stall"))
    fast = client.with_options(stream_idle_timeout=0.3)
    with pytest.raises(APITimeoutError):
        await asyncio.wait_for(collect(fast.runs.stream(None, "agent")), 5)


async def test_heartbeats_keep_a_quiet_stream_alive(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(stream_idle_timeout=0.3)
    quiet = [event("metadata", {"run_id": "R"}), event("values", {"n": 1})]
    fs.route("POST", "/runs/stream", sse(quiet, interval=0.6, heartbeat=0.1))
    started = time.monotonic()
    parts = await asyncio.wait_for(collect(client.runs.stream(None, "agent")), 5)
    assert time.monotonic() - started > 1.1  # two 0.6 s gaps with no event
    assert [p.event for p in parts] == ["metadata", "values"]
    record = fs.last("POST", "/runs/stream")
    assert record.heartbeats_sent >= 8
    assert record.outcome == "finish"


async def test_pool_timeout_is_a_timeout_error(fs: FaultServer) -> None:
    client: Client = get_client(
        url=fs.url,
        api_key=None,
        limits=httpx.Limits(max_connections=1),
        timeout=httpx.Timeout(5, pool=0.2),
        max_retries=0,
    )
    fs.route("POST", WAIT, stall())
    try:
        holder = asyncio.create_task(client.runs.wait("T", "agent"))
        await fs.wait_for_requests(1, "POST", WAIT)
        with pytest.raises(APITimeoutError) as info:
            await asyncio.wait_for(client.health(), 5)
        assert "PoolTimeout" in str(info.value)
        assert fs.count("GET", "/ok") == 0
        holder.cancel()
        with pytest.raises(asyncio.CancelledError):
            await holder
    finally:
        await client.aclose()
