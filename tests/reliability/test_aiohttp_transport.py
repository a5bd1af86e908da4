"""`DefaultAioHttpClient` against the fault server: every failure maps to the httpx error the
default transport gives (so the retry policy reads it the same way), streaming is incremental,
timeouts hold, closing frees the connection, and a POST that may have arrived is never resent."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from langgraph_client import APIConnectionError, APITimeoutError
from langgraph_client._aiohttp import AioHttpTransport, DefaultAioHttpClient
from tests.faultserver import (
    FaultServer,
    close_connection,
    event,
    json_response,
    raw_response,
    sse,
    stall,
)

from .conftest import ClientFactory, free_port

pytest.importorskip("aiohttp")

Make = Callable[..., httpx.AsyncClient]


@pytest.fixture(params=["httpx", "aiohttp"])
async def make_http(request: pytest.FixtureRequest) -> AsyncIterator[Make]:
    """Build plain httpx clients on either transport (closed at the end)."""
    made: list[httpx.AsyncClient] = []

    def make(**kwargs: object) -> httpx.AsyncClient:
        kind = DefaultAioHttpClient if request.param == "aiohttp" else httpx.AsyncClient
        client = kind(**kwargs)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def _post(http: httpx.AsyncClient, url: str, timeout: float = 2.0) -> httpx.Response:
    response = await http.post(url, content=b'{"x":1}', timeout=timeout)
    await response.aread()
    return response


async def test_a_refused_connection_is_a_connect_error(make_http: Make) -> None:
    with pytest.raises(httpx.ConnectError):
        await _post(make_http(), f"http://127.0.0.1:{free_port()}/runs/wait")


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
async def test_a_drop_after_the_post_was_sent_is_never_connect_class(
    fs: FaultServer, make_http: Make, reset: bool
) -> None:
    fs.route("POST", "/runs/wait", close_connection(reset=reset))
    with pytest.raises(httpx.TransportError) as caught:
        await _post(make_http(), fs.url + "/runs/wait")
    assert isinstance(caught.value, (httpx.RemoteProtocolError, httpx.ReadError))
    assert fs.count("POST", "/runs/wait") == 1  # the server did get it


async def test_a_silent_server_is_a_read_timeout(fs: FaultServer, make_http: Make) -> None:
    fs.route("POST", "/runs/wait", stall())
    with pytest.raises(httpx.ReadTimeout):
        await _post(make_http(), fs.url + "/runs/wait", timeout=0.3)


async def test_a_stall_mid_body_is_a_read_timeout(fs: FaultServer, make_http: Make) -> None:
    fs.route("POST", "/runs/stream", sse([event("values", 1)], end="stall"))
    http = make_http()
    async with http.stream("POST", fs.url + "/runs/stream", timeout=0.3) as response:
        with pytest.raises(httpx.ReadTimeout):
            async for _ in response.aiter_bytes():
                pass


async def test_a_broken_chunked_body_is_a_protocol_error(fs: FaultServer, make_http: Make) -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n"
    fs.route("POST", "/runs/wait", raw_response(head + b'\r\n5\r\n{"a":', end="close"))
    with pytest.raises(httpx.RemoteProtocolError):
        await _post(make_http(), fs.url + "/runs/wait")


async def test_a_malformed_status_line_is_a_protocol_error(
    fs: FaultServer, make_http: Make
) -> None:
    fs.route("POST", "/runs/wait", raw_response(b"HTTP/1.1 abc nonsense\r\n\r\n"))
    with pytest.raises(httpx.RemoteProtocolError):
        await _post(make_http(), fs.url + "/runs/wait")


async def test_a_pool_full_of_answered_requests_is_a_pool_timeout(
    fs: FaultServer, make_http: Make
) -> None:
    fs.route("POST", "/runs/stream", sse([event("values", 1)], linger=3.0))
    fs.route("POST", "/runs/wait", json_response(200, {"ok": True}))
    http = make_http(limits=httpx.Limits(max_connections=1))
    timeout = httpx.Timeout(2.0, pool=0.3)
    async with http.stream("POST", fs.url + "/runs/stream", timeout=timeout):
        with pytest.raises(httpx.PoolTimeout):
            await http.post(fs.url + "/runs/wait", content=b"{}", timeout=timeout)
    assert fs.count("POST", "/runs/wait") == 0


async def test_a_pool_full_of_unanswered_requests_is_a_pool_timeout(
    fs: FaultServer, make_http: Make
) -> None:
    fs.route("POST", "/runs/wait", stall(3.0))
    http = make_http(limits=httpx.Limits(max_connections=1))
    timeout = httpx.Timeout(5.0, pool=0.3)
    holder = asyncio.create_task(http.post(fs.url + "/runs/wait", content=b"{}", timeout=timeout))
    await fs.wait_for_requests(1, "POST", "/runs/wait")
    with pytest.raises(httpx.PoolTimeout):
        await asyncio.wait_for(http.get(fs.url + "/ok", timeout=timeout), 2.0)
    assert fs.count("GET", "/ok") == 0
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder


async def test_closing_a_half_read_stream_frees_its_pool_slot(
    fs: FaultServer, make_http: Make
) -> None:
    fs.route("POST", "/runs/stream", sse([event("values", n) for n in range(3)], linger=3.0))
    fs.route("POST", "/runs/wait", json_response(200, {"ok": True}))
    http = make_http(limits=httpx.Limits(max_connections=1))
    async with http.stream("POST", fs.url + "/runs/stream", timeout=2.0) as response:
        async for _ in response.aiter_bytes():
            break
    answer = await asyncio.wait_for(_post(http, fs.url + "/runs/wait", timeout=1.0), 2.0)
    assert answer.json() == {"ok": True}


async def test_events_arrive_one_by_one_not_at_the_end(fs: FaultServer, make_http: Make) -> None:
    fs.route("POST", "/runs/stream", sse([event("values", n) for n in range(3)], interval=0.2))
    http = make_http()
    loop = asyncio.get_running_loop()
    times: list[float] = []
    async with http.stream("POST", fs.url + "/runs/stream", timeout=2.0) as response:
        async for _ in response.aiter_bytes():
            times.append(loop.time())
    assert len(times) >= 3
    assert times[-1] - times[0] >= 0.3  # spread over the server's pauses, not one burst


@pytest.mark.parametrize("end", ["reset", "close"])
async def test_bytes_that_arrived_before_a_break_are_delivered_first(
    fs: FaultServer, make_http: Make, end: str
) -> None:
    # One write, and the body read only after the connection ended: the break is known before
    # the first byte is read.
    events = b"".join(b"event: values\r\ndata: %d\r\n\r\n" % n for n in range(3))
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
    body = b"\r\n%x\r\n" % len(events) + events + b"\r\n"  # and no last chunk
    fs.route("POST", "/runs/stream", raw_response(head + body, end=end))  # type: ignore[arg-type]
    http = make_http()
    got = b""
    async with http.stream("POST", fs.url + "/runs/stream", timeout=2.0) as response:
        await asyncio.sleep(0.3)
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            async for chunk in response.aiter_bytes():
                got += chunk
    assert got.count(b"event: values") == 3, got


async def test_requests_keep_their_bytes(fs: FaultServer, make_http: Make) -> None:
    fs.route("POST", "*", json_response(200, {"ok": True}))
    http = make_http()
    raw = "/threads/a%2Fb%3F/runs/wait"
    response = await http.post(
        fs.url + raw, content=b'{"x":1}', headers={"x-api-key": "k", "content-type": "t/x"}
    )
    assert response.json() == {"ok": True}
    record = fs.requests[-1]
    assert record.path == raw  # percent-encoding intact, not re-quoted
    assert record.body == b'{"x":1}'
    assert record.header("x-api-key") == "k"
    assert record.header("content-type") == "t/x"


async def test_a_gzip_body_is_decoded_once(fs: FaultServer, make_http: Make) -> None:
    import gzip

    body = gzip.compress(b'{"a":1}')
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    fs.route("POST", "/runs/wait", raw_response(head + body))
    assert (await _post(make_http(), fs.url + "/runs/wait")).json() == {"a": 1}


# Through the whole client: the retry policy reads the mapped errors.


async def test_a_run_creating_post_dropped_after_sending_is_sent_once(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    fs.route("POST", "/runs/wait", close_connection(), close_connection(), json_response(200, {}))
    async with DefaultAioHttpClient() as http:
        client = make_client(http_client=http)
        with pytest.raises(APIConnectionError) as caught:
            await client.runs.wait(None, "agent", input={})
    assert not isinstance(caught.value, APITimeoutError)
    assert fs.count("POST", "/runs/wait") == 1


async def test_a_refused_connection_is_retried_for_a_post(make_client: ClientFactory) -> None:
    async with DefaultAioHttpClient() as http:
        client = make_client(url=f"http://127.0.0.1:{free_port()}", http_client=http)
        with pytest.raises(APIConnectionError, match=r"ConnectError|connect"):
            await client.runs.wait(None, "agent", input={})


async def test_connect_timeout_errors_are_mapped_as_not_sent() -> None:
    import aiohttp

    from langgraph_client._aiohttp import _transport_error

    request = httpx.Request("POST", "http://h/runs")
    timeout = aiohttp.ConnectionTimeoutError("Connection timeout to host")
    assert type(_transport_error(timeout, request)) is httpx.ConnectTimeout
    for sent in (
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientOSError(104, "reset"),
        aiohttp.ClientPayloadError("cut"),
        aiohttp.SocketTimeoutError("read"),
        ConnectionResetError(),
    ):
        error = _transport_error(sent, request)
        assert not isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


async def test_the_transport_closes_its_session() -> None:
    transport = AioHttpTransport()
    await transport.aclose()  # never opened: nothing to do
    async with DefaultAioHttpClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{free_port()}/ok")
        session = http._transport._session  # type: ignore[attr-defined]
        assert session is not None and not session.closed
    assert session.closed


def test_importing_the_package_does_not_import_aiohttp() -> None:
    code = (
        "import sys, langgraph_client; assert 'aiohttp' not in sys.modules;"
        " from langgraph_client import *; assert 'aiohttp' not in sys.modules;"
        " langgraph_client.DefaultAioHttpClient; assert 'aiohttp' in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
