"""`on_request`: a hook that sets headers on every request actually sent: the first try, each
retry, each stream resume and each rejoin. The fault server's request log is the witness."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest

from tests.faultserver import FaultServer, json_response, wait_response

from .conftest import EVENTS, ClientFactory, collect

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

RUN = {"run_id": "R", "thread_id": "T", "status": "success"}


class Tokens:
    """A token source that hands out a new token at each call, like a refreshing credential."""

    def __init__(self) -> None:
        self._next = itertools.count(1)
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> None:
        token = f"token-{next(self._next)}"
        request.headers["authorization"] = f"Bearer {token}"
        self.seen.append(f"{request.method} {request.url.path}")


def tokens_sent(fs: FaultServer) -> list[str | None]:
    return [r.header("authorization") for r in fs.requests]


async def test_every_retry_gets_a_fresh_header(fs: FaultServer, make_client: ClientFactory) -> None:
    hook = Tokens()
    client = make_client(on_request=hook)
    fs.route(
        "GET",
        "/threads/T/runs/R",
        json_response(503, {"detail": "busy"}, retry_after=0.01),
        json_response(502, {"detail": "bad gateway"}, retry_after=0.01),
        json_response(200, RUN),
    )
    assert await client.runs.get("T", "R") == RUN
    assert tokens_sent(fs) == ["Bearer token-1", "Bearer token-2", "Bearer token-3"]
    assert hook.seen == ["GET /threads/T/runs/R"] * 3


@pytest.mark.async_only
async def test_async_hook_is_awaited(fs: FaultServer, make_client: ClientFactory) -> None:
    refreshed = asyncio.Event()

    async def refresh(request: httpx.Request) -> None:
        await asyncio.sleep(0)  # e.g. an async token refresh
        refreshed.set()
        request.headers["x-signed"] = request.method + " " + request.url.path

    client = make_client(on_request=refresh)
    fs.route("GET", "/threads/T/runs/R", json_response(200, RUN))
    await client.runs.get("T", "R")
    assert refreshed.is_set()
    assert fs.last("GET", "/threads/T/runs/R").header("x-signed") == "GET /threads/T/runs/R"


async def test_stream_resume_gets_a_fresh_header(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    hook = Tokens()
    client = make_client(on_request=hook)
    run = fs.resumable_run(EVENTS, fail_after=[3, 2], fault="reset")
    stream = client.runs.stream("T", "agent", input={}, stream_resumable=True)
    parts = await asyncio.wait_for(collect(stream), 5)
    assert [p.id for p in parts] == [e.id for e in run.events]
    # The create, then two resumes, each with the header the hook set at that moment.
    assert tokens_sent(fs) == ["Bearer token-1", "Bearer token-2", "Bearer token-3"]
    assert [r.method for r in fs.requests] == ["POST", "GET", "GET"]
    assert stream.reconnects == 2


async def test_wait_rejoin_gets_a_fresh_header(fs: FaultServer, make_client: ClientFactory) -> None:
    hook = Tokens()
    client = make_client(on_request=hook)
    fs.route(
        "POST",
        "/threads/T/runs/wait",
        wait_response(
            {"pad": "p" * 400}, content_location="/threads/T/runs/R", truncate=25, end="reset"
        ),
    )
    fs.route("GET", "/threads/T/runs/R/join", json_response(200, {"done": True}))
    fs.route("GET", "/threads/T/runs/R", json_response(200, {**RUN, "status": "success"}))
    result = await asyncio.wait_for(
        client.runs.wait("T", "agent", input={}, on_disconnect="continue"), 5
    )
    assert result == {"done": True}
    # The wait, the rejoin, and the run's status read after it: each with a fresh header.
    assert tokens_sent(fs) == ["Bearer token-1", "Bearer token-2", "Bearer token-3"]
    assert [r.path for r in fs.requests] == [
        "/threads/T/runs/wait",
        "/threads/T/runs/R/join",
        "/threads/T/runs/R",
    ]


async def test_hook_set_header_overrides_the_client_default(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    def sign(request: httpx.Request) -> None:
        request.headers["x-api-key"] = "rotated-key"

    client = make_client(on_request=sign)
    fs.route("GET", "/threads/T/runs/R", json_response(200, RUN))
    await client.runs.get("T", "R")
    assert fs.last("GET", "/threads/T/runs/R").header("x-api-key") == "rotated-key"


async def test_hook_error_stops_the_call_before_anything_is_sent(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    def broken(request: httpx.Request) -> None:
        raise RuntimeError("token service down")

    client = make_client(on_request=broken)
    fs.route("GET", "/threads/T/runs/R", json_response(200, RUN))
    with pytest.raises(RuntimeError, match="token service down"):
        await client.runs.get("T", "R")
    assert fs.count() == 0


async def test_with_options_keeps_the_hook(fs: FaultServer, make_client: ClientFactory) -> None:
    hook = Tokens()
    client = make_client(on_request=hook).with_options(max_retries=0)
    fs.route("GET", "/threads/T/runs/R", json_response(200, RUN))
    await client.runs.get("T", "R")
    assert tokens_sent(fs) == ["Bearer token-1"]


async def test_sync_client_refuses_a_coroutine_hook_before_sending(fs: FaultServer) -> None:
    from langgraph_client import get_sync_client

    async def refresh(request: httpx.Request) -> None:
        request.headers["authorization"] = "Bearer never"

    fs.route("GET", "/threads/T/runs/R", json_response(200, RUN))
    client = get_sync_client(url=fs.url, api_key=None, on_request=refresh)
    with client, pytest.raises(TypeError, match="plain function"):
        await asyncio.to_thread(client.runs.get, "T", "R")
    assert fs.count() == 0
