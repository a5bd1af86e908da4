"""The connection pool: hundreds of concurrent long runs through one client, and a pool the
user brings (`http_client=`) that keeps the client's policy and is left open."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    APIResponseValidationError,
    InternalServerError,
    NotFoundError,
    __version__,
    get_client,
)
from tests.faultserver import (
    FaultServer,
    RequestRecord,
    close_connection,
    event,
    json_response,
    redirect,
    sse,
    text_response,
    wait_response,
)

from .conftest import API_KEY, EVENTS, collect, free_port

pytestmark = [pytest.mark.timeout(30), pytest.mark.both_clients]

N = 300
TEN = [event("metadata", {"run_id": "R"}), *(event("values", {"n": n}) for n in range(9))]
FINAL = {"values": {"done": True}}


def max_overlap(records: list[RequestRecord]) -> int:
    """The most requests the server was serving at the same moment."""
    edges = []
    for r in records:
        assert r.ended is not None
        edges += [(r.time, 1), (r.ended, -1)]
    current = peak = 0
    for _, step in sorted(edges):
        current += step
        peak = max(peak, current)
    return peak


async def test_300_concurrent_streams_and_300_waits_through_one_client(fs: FaultServer) -> None:
    fs.always("POST", "/runs/stream", sse(TEN, interval=0.03))
    fs.always("POST", "/runs/wait", wait_response(FINAL, heartbeats=6, interval=0.05))
    client = get_client(url=fs.url, api_key=API_KEY)  # default settings
    try:

        async def one_stream() -> int:
            parts = await collect(client.runs.stream(None, "agent", input={}))
            assert [p.event for p in parts] == [e.event for e in TEN]
            return len(parts)

        async def one_wait() -> object:
            return await client.runs.wait(None, "agent", input={})

        results = await asyncio.wait_for(
            asyncio.gather(
                *(one_stream() for _ in range(N)),
                *(one_wait() for _ in range(N)),
                return_exceptions=True,
            ),
            25,
        )
    finally:
        await client.aclose()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert results[:N] == [len(TEN)] * N
    assert results[N:] == [FINAL] * N
    assert fs.count("POST", "/runs/stream") == N
    assert fs.count("POST", "/runs/wait") == N
    await fs.wait_until(lambda: all(r.ended for r in fs.requests), timeout=5)
    # Far more in flight at once than httpx's default pool of 100 would allow.
    assert max_overlap(fs.requests) > 100


async def test_user_http_client_keeps_policy_and_stays_open(fs: FaultServer) -> None:
    own = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(retries=0),
        headers={"x-team": "blue", "user-agent": "theirs/1.0"},
    )
    try:
        client = get_client(url=fs.url, api_key=API_KEY, http_client=own, timeout=5)
        # Retries: a 503 then a reset, then success.
        fs.route(
            "GET",
            "/threads/T/runs/R",
            json_response(503),
            close_connection(reset=True),
            json_response(200, {"run_id": "R"}),
        )
        assert await client.runs.get("T", "R") == {"run_id": "R"}
        assert fs.count() == 3
        for record in fs.requests:
            assert record.header("x-api-key") == API_KEY
            assert record.header("user-agent") == f"langgraph-client/{__version__}"
            assert record.header("x-team") == "blue"  # the user's own defaults survive too
        # Error mapping: typed errors, never raw httpx exceptions.
        fs.route("GET", "/threads/T/runs/X", json_response(404, {"detail": "Run not found"}))
        with pytest.raises(NotFoundError, match="Run not found"):
            await client.runs.get("T", "X")
        fs.always("GET", "/ok", text_response(500, "boom"))
        with pytest.raises(InternalServerError):
            await client.health()
        fs.route("GET", "/info", text_response(200, "not json"))
        with pytest.raises(APIResponseValidationError):
            await client.info()
        # Redirect policy: the user's client does not follow on our behalf.
        fs.route("GET", "/threads/T", redirect("/threads/T2", 302))
        fs.route("GET", "/threads/T2", json_response(200, {"thread_id": "T2"}))
        assert await client.threads.get("T") == {"thread_id": "T2"}
        # Streams go through it as well.
        fs.route("POST", "/runs/stream", sse(EVENTS))
        assert len(await collect(client.runs.stream(None, "agent"))) == len(EVENTS)

        await client.aclose()
        assert not own.is_closed
        fs.route("GET", "/still-open", json_response(200, {"ok": True}))
        assert (await own.get(fs.url_for("/still-open"))).json() == {"ok": True}
    finally:
        await own.aclose()


async def test_user_http_client_connection_errors_are_typed() -> None:
    async with httpx.AsyncClient() as own:
        client = get_client(
            url=f"http://127.0.0.1:{free_port()}", api_key=API_KEY, http_client=own, max_retries=1
        )
        with pytest.raises(APIConnectionError) as info:
            await asyncio.wait_for(client.health(), 5)
        assert isinstance(info.value.__cause__, httpx.ConnectError)
        await client.aclose()
        assert not own.is_closed


async def test_owned_pool_is_closed_by_aclose(fs: FaultServer) -> None:
    client = get_client(url=fs.url, api_key=None)
    async with client:
        pass
    assert client._http._client.is_closed
    # A with_options copy shares the pool and does not close it.
    client = get_client(url=fs.url, api_key=None)
    await client.with_options(max_retries=0).aclose()
    assert not client._http._client.is_closed
    await client.aclose()
