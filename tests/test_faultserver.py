"""Tests of the fault-injection server itself, with plain httpx: each fault's client symptom."""

from __future__ import annotations

import asyncio
import email.utils
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import httpx_sse
import orjson
import pytest

try:
    from faultserver import (
        Dynamic,
        FaultServer,
        RequestRecord,
        Step,
        close_connection,
        event,
        html_response,
        json_response,
        raw_response,
        redirect,
        replay,
        sse,
        stall,
        text_response,
        wait_response,
    )
except ImportError:  # tests/ imported as a package
    from tests.faultserver import (  # type: ignore
        Dynamic,
        FaultServer,
        RequestRecord,
        Step,
        close_connection,
        event,
        html_response,
        json_response,
        raw_response,
        redirect,
        replay,
        sse,
        stall,
        text_response,
        wait_response,
    )

pytestmark = pytest.mark.timeout(15)

EVENTS = [
    event("metadata", {"run_id": "R", "attempt": 1}),
    event("values", {"n": 1}),
    event("values", {"n": 2}),
    event("values", {"n": 3}),
    event("values", {"n": 4}),
]


@pytest.fixture(scope="module")
def _server() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture
def fs(_server: FaultServer) -> Iterator[FaultServer]:
    _server.reset()
    yield _server
    assert _server.errors == []


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, read=0.5)) as c:
        yield c


async def _collect_sse(
    client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> tuple[list[httpx_sse.ServerSentEvent], BaseException | None, httpx.Response | None]:
    """Read events until the stream ends or fails; return events, the error and the response."""
    got: list[httpx_sse.ServerSentEvent] = []
    response: httpx.Response | None = None
    try:
        async with httpx_sse.aconnect_sse(client, method, url, **kwargs) as source:
            response = source.response
            async for sse_event in source.aiter_sse():
                got.append(sse_event)
    except (httpx.HTTPError, httpx_sse.SSEError) as exc:
        return got, exc, response
    return got, None, response


# --------------------------------------------------------------------------- routing and log


async def test_unmatched_route_is_404_no_scenario(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    r = await client.get(fs.url_for("/assistants/x"))
    assert r.status_code == 404
    assert r.json()["detail"] == "no scenario"
    assert [u.path for u in fs.unmatched] == ["/assistants/x"]


async def test_503_retry_after_then_200_then_exhausted(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    route = fs.route(
        "POST",
        "/runs/wait",
        json_response(503, {"detail": "busy"}, retry_after=1),
        json_response(200, {"ok": True}),
    )
    first = await client.post(fs.url_for("/runs/wait"), json={})
    second = await client.post(fs.url_for("/runs/wait"), json={})
    third = await client.post(fs.url_for("/runs/wait"), json={})
    assert (first.status_code, first.headers["retry-after"]) == (503, "1")
    assert first.json() == {"detail": "busy"}
    assert second.status_code == 200 and second.json() == {"ok": True}
    assert third.status_code == 404 and third.json()["exhausted"] is True
    assert route.remaining == 0 and route.hits == 2
    assert fs.count("POST", "/runs/wait") == 3


async def test_retry_after_http_date_and_fraction(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=30)
    fs.route(
        "GET", "/ok", json_response(429, retry_after=when), json_response(429, retry_after=0.5)
    )
    r = await client.get(fs.url_for("/ok"))
    assert r.headers["retry-after"].endswith("GMT")
    assert email.utils.parsedate_to_datetime(r.headers["retry-after"]) == when
    assert (await client.get(fs.url_for("/ok"))).headers["retry-after"] == "0.5"


async def test_prefix_regex_any_method_and_repeat(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.always("*", "/threads/*", json_response(200, {"route": "prefix"}))
    fs.always("GET", re.compile(r"/runs/[^/]+"), json_response(200, {"route": "regex"}))
    for _ in range(3):
        r = await client.delete(fs.url_for("/threads/abc/state"))
        assert r.json() == {"route": "prefix"}
    assert (await client.get(fs.url_for("/runs/r1"))).json() == {"route": "regex"}
    assert (await client.get(fs.url_for("/runs/r1/join"))).status_code == 404
    assert fs.count(None, "/threads/*") == 3


async def test_request_log_records_everything(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.always("POST", "/threads/t%2F1/runs", json_response(200, {}))
    before = time.monotonic()
    await client.post(
        fs.url_for("/threads/t%2F1/runs?limit=5&offset=0"),
        json={"input": {"x": 1}},
        headers={"X-Api-Key": "k", "X-Trace": "abc"},
    )
    await client.post(fs.url_for("/threads/t%2F1/runs"), content=b"raw")
    first, second = fs.find("POST", "/threads/t%2F1/runs")
    assert first.path == "/threads/t%2F1/runs"  # percent-encoding kept as sent
    assert first.params == {"limit": ["5"], "offset": ["0"]}
    assert first.headers["x-api-key"] == "k" and first.header("X-TRACE") == "abc"
    assert first.json() == {"input": {"x": 1}}
    assert second.body == b"raw"
    assert before <= first.time <= second.time
    assert first.outcome == "finish" and first.ended is not None
    assert first.connection_id == second.connection_id  # keep-alive reuse is visible


async def test_keep_alive_false_closes(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.always("GET", "/ok", json_response(200, {}, keep_alive=False))
    r = await client.get(fs.url_for("/ok"))
    assert r.headers["connection"] == "close"
    await client.get(fs.url_for("/ok"))
    a, b = fs.requests
    assert a.connection_id != b.connection_id


async def test_error_bodies_and_location_headers(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.route(
        "POST",
        "/threads/T/runs",
        json_response(404, {"detail": "Thread not found"}),
        json_response(422, {"detail": [{"loc": ["body"], "msg": "bad"}]}),
        json_response(409, {"detail": "Thread is already running a task."}),
        json_response(200, {"run_id": "R"}, content_location="/threads/T/runs/R"),
        json_response(204),
    )
    statuses = []
    for _ in range(5):
        r = await client.post(fs.url_for("/threads/T/runs"), json={})
        statuses.append(r.status_code)
    assert statuses == [404, 422, 409, 200, 204]
    assert r.content == b""
    assert fs.requests[3].outcome == "finish"


async def test_html_error_page(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("GET", "/ok", html_response(502))
    r = await client.get(fs.url_for("/ok"))
    assert r.status_code == 502
    assert r.headers["content-type"] == "text/html"
    assert r.text == "<html>Bad Gateway</html>"


async def test_wrong_content_type_on_stream_endpoint(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.route("POST", "/runs/stream", text_response(200, "hello"))
    got, exc, _ = await _collect_sse(client, "POST", fs.url_for("/runs/stream"), json={})
    assert got == [] and isinstance(exc, httpx_sse.SSEError)


async def test_dynamic_step(fs: FaultServer, client: httpx.AsyncClient) -> None:
    def echo(record: RequestRecord) -> Step:
        return json_response(200, {"seen": record.header("x-n")})

    fs.always("GET", "/echo", Dynamic(echo))
    assert (await client.get(fs.url_for("/echo"), headers={"x-n": "7"})).json() == {"seen": "7"}


# --------------------------------------------------------------------------- faults before headers


async def test_close_without_response(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("GET", "/ok", close_connection())
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await client.get(fs.url_for("/ok"))
    assert fs.last().outcome == "close"


async def test_reset_without_response(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("GET", "/ok", close_connection(reset=True))
    with pytest.raises(httpx.ReadError):
        await client.get(fs.url_for("/ok"))
    assert fs.last().outcome == "reset"


async def test_close_on_reused_connection(fs: FaultServer, client: httpx.AsyncClient) -> None:
    # httpx does not silently retry a request whose reused connection was dropped.
    fs.route("GET", "/ok", json_response(200, {}), close_connection())
    await client.get(fs.url_for("/ok"))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(fs.url_for("/ok"))
    a, b = fs.requests
    assert a.connection_id == b.connection_id


async def test_stall_before_headers_is_read_timeout(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.route("GET", "/ok", stall())
    start = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await client.get(fs.url_for("/ok"), timeout=httpx.Timeout(2.0, read=0.2))
    assert time.monotonic() - start < 1.5
    # The server notices the client giving up and stops stalling.
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
    assert fs.last().outcome == "stall"


async def test_slow_headers_delay(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("GET", "/ok", json_response(200, {}, delay=0.6), json_response(200, {}, delay=0.1))
    with pytest.raises(httpx.ReadTimeout):
        await client.get(fs.url_for("/ok"), timeout=httpx.Timeout(2.0, read=0.2))
    assert (await client.get(fs.url_for("/ok"))).status_code == 200


async def test_malformed_status_line(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("GET", "/ok", raw_response(b"garbage\r\n\r\n"))
    with pytest.raises(httpx.RemoteProtocolError, match="illegal status line"):
        await client.get(fs.url_for("/ok"))


# --------------------------------------------------------------------------- streams


async def test_sse_wire_format(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route(
        "POST",
        "/threads/T/runs/stream",
        sse(
            [event("metadata", {"run_id": "R"}, id="1-0"), event("values", {"a": "é"})],
            content_location="/threads/T/runs/R",
            location="/threads/T/runs/R/stream",
        ),
    )
    r = await client.post(fs.url_for("/threads/T/runs/stream"), json={})
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.headers["content-location"] == "/threads/T/runs/R"
    assert r.headers["location"] == "/threads/T/runs/R/stream"
    assert r.content == (
        b'event: metadata\r\ndata: {"run_id":"R"}\r\nid: 1-0\r\n\r\n'
        + 'event: values\r\ndata: {"a":"é"}\r\n\r\n'.encode()
    )
    assert fs.last().events_sent == 2


async def test_sse_reset_after_n_events(fs: FaultServer, client: httpx.AsyncClient) -> None:
    for _ in range(5):  # deterministic: exactly N events arrive before the error, every time
        fs.reset()
        fs.route("POST", "/runs/stream", sse(EVENTS, after=3, end="reset"))
        got, exc, response = await _collect_sse(client, "POST", fs.url_for("/runs/stream"))
        assert response is not None and response.status_code == 200
        assert [e.event for e in got] == ["metadata", "values", "values"]
        assert isinstance(exc, httpx.ReadError)
        assert (fs.last().events_sent, fs.last().outcome) == (3, "reset")


async def test_sse_close_early_is_incomplete_chunked_read(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.route("POST", "/runs/stream", sse(EVENTS, after=2, end="close"))
    got, exc, _ = await _collect_sse(client, "POST", fs.url_for("/runs/stream"))
    assert len(got) == 2
    assert isinstance(exc, httpx.RemoteProtocolError)
    assert "incomplete chunked read" in str(exc)


async def test_sse_close_delimited_close_looks_like_a_clean_end(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.route("POST", "/runs/stream", sse(EVENTS, after=2, end="close", chunked=False))
    got, exc, _ = await _collect_sse(client, "POST", fs.url_for("/runs/stream"))
    assert (len(got), exc) == (2, None)


async def test_sse_stall_after_n_events(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("POST", "/runs/stream", sse(EVENTS, after=1, end="stall"))
    start = time.monotonic()
    got, exc, _ = await _collect_sse(
        client, "POST", fs.url_for("/runs/stream"), timeout=httpx.Timeout(2.0, read=0.3)
    )
    assert len(got) == 1 and isinstance(exc, httpx.ReadTimeout)
    assert time.monotonic() - start < 1.5
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


async def test_stall_right_after_headers(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("POST", "/runs/stream", sse(EVENTS, after=0, end="stall"))
    got, exc, response = await _collect_sse(
        client, "POST", fs.url_for("/runs/stream"), timeout=httpx.Timeout(2.0, read=0.3)
    )
    assert response is not None and response.status_code == 200
    assert got == [] and isinstance(exc, httpx.ReadTimeout)


async def test_sse_interval_and_heartbeats(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route("GET", "/s", sse(EVENTS[:2], interval=0.12, heartbeat=0.05, linger=0.12))
    start = time.monotonic()
    r = await client.get(fs.url_for("/s"))
    assert time.monotonic() - start >= 0.3
    assert r.content.count(b": heartbeat\r\n\r\n") == fs.last().heartbeats_sent >= 4
    # Heartbeats keep a short read timeout alive through long gaps.
    fs.route("GET", "/slow", sse(EVENTS[:1], interval=0.6, heartbeat=0.1))
    got, exc, _ = await _collect_sse(
        client, "GET", fs.url_for("/slow"), timeout=httpx.Timeout(2.0, read=0.3)
    )
    assert (len(got), exc) == (1, None)


async def test_sse_raw_bytes_malformed(fs: FaultServer, client: httpx.AsyncClient) -> None:
    huge = b"data: " + b"x" * 1_000_000 + b"\r\n\r\n"
    fs.route("GET", "/s", sse([event("a", 1), b"event: bad\r\ndata: \xff\xfe\r\n\r\n", huge]))
    r = await client.get(fs.url_for("/s"))
    assert b"\xff\xfe" in r.content and r.content.endswith(huge)
    assert fs.last().events_sent == 1


async def test_client_disconnect_mid_stream_is_recorded(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    fs.route("GET", "/s", sse(EVENTS, interval=0.1))
    async with httpx_sse.aconnect_sse(client, "GET", fs.url_for("/s")) as source:
        async for _ in source.aiter_sse():
            break
    await fs.wait_until(lambda: fs.last().outcome != "pending", timeout=2)
    record = fs.last()
    assert record.client_closed and record.outcome == "client closed"
    assert record.events_sent < len(EVENTS)


async def test_broken_chunk_encoding(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route(
        "GET",
        "/s",
        raw_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"
        ),
    )
    with pytest.raises(httpx.RemoteProtocolError, match="illegal chunk header"):
        await client.get(fs.url_for("/s"))


# --------------------------------------------------------------------------- /wait bodies


async def test_wait_heartbeats_then_json(fs: FaultServer, client: httpx.AsyncClient) -> None:
    fs.route(
        "POST",
        "/threads/T/runs/wait",
        wait_response(
            {"values": 1},
            heartbeats=3,
            interval=0.05,
            content_location="/threads/T/runs/R",
            location="/threads/T/runs/R/join",
        ),
    )
    r = await client.post(fs.url_for("/threads/T/runs/wait"), json={})
    assert r.content == b'\n\n\n{"values":1}'
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.headers["location"] == "/threads/T/runs/R/join"
    assert orjson.loads(r.content) == {"values": 1}  # leading whitespace is valid JSON


async def test_truncated_json_bodies(fs: FaultServer, client: httpx.AsyncClient) -> None:
    body = {"values": "x" * 100}
    fs.route(
        "POST",
        "/runs/wait",
        json_response(200, body, truncate=10),
        wait_response(body, truncate=10),
        json_response(200, body, truncate=10, end="close"),
        wait_response(body, truncate=10, end="close"),
        json_response(200, body, truncate=10, end="reset"),
    )
    url = fs.url_for("/runs/wait")
    for _ in range(2):  # valid framing, malformed JSON
        r = await client.post(url)
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(r.content)
    with pytest.raises(httpx.RemoteProtocolError, match=r"received 10 bytes, expected \d+"):
        await client.post(url)
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
        await client.post(url)
    with pytest.raises(httpx.ReadError):
        await client.post(url)


# --------------------------------------------------------------------------- redirects


async def test_cross_origin_redirect(fs: FaultServer, client: httpx.AsyncClient) -> None:
    with FaultServer(name="other-origin") as other:
        other.always("POST", "/runs/wait", json_response(200, {"ok": 1}))
        fs.route("POST", "/runs/wait", redirect(other.url_for("/runs/wait"), 307))
        secrets = {"x-api-key": "SECRET", "authorization": "Bearer TOKEN"}
        r = await client.post(fs.url_for("/runs/wait"), json={"a": 1}, headers=secrets)
        assert r.status_code == 307 and r.headers["location"] == other.url_for("/runs/wait")
        assert other.count() == 0
        # What plain httpx does when told to follow: it strips Authorization only, so a custom
        # API-key header (and a 307 body) reach the other origin. The client must guard this.
        r = await client.post(
            fs.url_for("/runs/wait"), json={"a": 1}, headers=secrets, follow_redirects=True
        )
        assert r.status_code == 404  # the route was used up: visible, not silently served
        fs.route("POST", "/runs/wait", redirect(other.url_for("/runs/wait"), 307))
        r = await client.post(
            fs.url_for("/runs/wait"), json={"a": 1}, headers=secrets, follow_redirects=True
        )
        assert r.json() == {"ok": 1}
        seen = other.last("POST", "/runs/wait")
        assert "authorization" not in seen.headers
        assert seen.headers["x-api-key"] == "SECRET"
        assert seen.json() == {"a": 1}
        assert other.errors == []


# --------------------------------------------------------------------------- resumable runs


async def test_resumable_run_reset_then_resume(fs: FaultServer, client: httpx.AsyncClient) -> None:
    run = fs.resumable_run(EVENTS, fail_after=3, thread_id="T", run_id="R")
    got, exc, response = await _collect_sse(client, "POST", fs.url_for(run.create_path), json={})
    assert response is not None
    assert response.headers["content-location"] == "/threads/T/runs/R"
    assert response.headers["location"] == "/threads/T/runs/R/stream"
    assert len(got) == 3 and isinstance(exc, httpx.ReadError)
    last_id = got[-1].id
    more, exc, _ = await _collect_sse(
        client, "GET", fs.url_for(response.headers["location"]), headers={"Last-Event-ID": last_id}
    )
    assert exc is None
    assert [e.data for e in got + more] == [orjson.dumps(e.data).decode() for e in EVENTS]
    assert run.last_event_ids == [last_id] and run.connections == 2
    assert fs.count("POST", run.create_path) == 1


async def test_resumable_run_multiple_breaks_and_replay_all(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[2, 1], fault="close", stateless=True)
    assert (run.create_path, run.join_path) == ("/runs/stream", "/runs/R/stream")
    seen: list[str] = []
    got, _, _ = await _collect_sse(client, "POST", fs.url_for("/runs/stream"), json={})
    seen += [e.id for e in got]
    for _ in range(3):  # bounded reconnect loop
        got, exc, _ = await _collect_sse(
            client, "GET", fs.url_for(run.join_path), headers={"Last-Event-ID": seen[-1]}
        )
        seen += [e.id for e in got]
        if exc is None:
            break
    assert seen == [e.id for e in run.events]
    assert run.last_event_ids == [seen[1], seen[2]]
    everything, exc, _ = await _collect_sse(
        client, "GET", fs.url_for(run.join_path), headers={"Last-Event-ID": "-1"}
    )
    assert exc is None and len(everything) == len(EVENTS)
    assert run.events_after("1700000000002-5") == run.events[3:]  # ordering by ms-seq id


# --------------------------------------------------------------------------- lifecycle


def test_start_stop_bounded_with_stalled_connection() -> None:
    import socket

    before = {t.ident for t in threading.enumerate()}
    server = FaultServer(name="lifecycle").start()
    server.route("GET", "/ok", stall())
    sock = socket.create_connection((server.host, server.port), timeout=2)
    try:
        sock.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 2
        while server.count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.last().outcome == "stall"
        start = time.monotonic()
        server.stop()
        assert time.monotonic() - start < 3
        assert sock.recv(10) == b""  # the stalled connection was dropped, not left hanging
    finally:
        sock.close()
    assert {t.ident for t in threading.enumerate()} == before
    server.stop()  # idempotent


def test_reset_releases_stalls() -> None:
    with FaultServer(stall_limit=10) as server:
        server.route("GET", "/ok", stall())
        errors: list[BaseException] = []

        def call() -> None:
            try:
                httpx.get(server.url_for("/ok"), timeout=5)
            except httpx.HTTPError as exc:
                errors.append(exc)

        t = threading.Thread(target=call)
        t.start()
        deadline = time.monotonic() + 2
        while server.count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
        server.reset()
        t.join(3)
        assert not t.is_alive() and time.monotonic() - start < 2
        assert isinstance(errors[0], httpx.RemoteProtocolError)


async def test_async_context_manager() -> None:
    async with FaultServer(name="async") as server:
        server.route("GET", "/ok", json_response(200, {"ok": True}))
        async with httpx.AsyncClient(timeout=2) as c:
            assert (await c.get(server.url_for("/ok"))).json() == {"ok": True}
        waited = await server.wait_for_requests(1, "GET", "/ok", timeout=1)
        assert len(waited) == 1
    with pytest.raises(TimeoutError):
        await server.wait_until(lambda: False, timeout=0.05)


async def test_server_survives_busy_client_loop(fs: FaultServer) -> None:
    # The server runs on its own thread: a blocked test loop cannot delay its responses.
    fs.route("GET", "/s", sse(EVENTS, interval=0.01))
    async with httpx.AsyncClient(timeout=2) as c:
        task = asyncio.ensure_future(c.get(fs.url_for("/s")))
        await fs.wait_for_requests(1, timeout=5)
        time.sleep(0.3)  # noqa: ASYNC251 - block this loop on purpose
        assert fs.last().events_sent == len(EVENTS)
        await task


# --------------------------------------------------------------------------- the replay model

# As the in-memory server stamps them: `<ms>-0`, shared within a millisecond.
RUN = [
    event("metadata", {"run_id": "R", "attempt": 1}, "1795265433389-0"),
    event("values", 1, "1795265433391-0"),
    event("values", 2, "1795265433391-0"),
    event("values", 3, "1795265433400-0"),
    event("values", 4, "1795265433512-0"),
]


@pytest.mark.parametrize(
    ("last_event_id", "produced", "expected"),
    [
        # WIRE_NOTES, "Resuming": one row each.
        ("1795265433389-0", None, [1, 2, 3, 4]),  # after finish, strictly after the id
        ("1795265433391-0", None, [3, 4]),  # every event sharing the id is skipped
        ("-1", None, [0, 1, 2, 3, 4]),  # full replay from metadata
        ("0", None, [0, 1, 2, 3, 4]),
        (None, None, []),  # no Last-Event-ID after finish: empty body
        ("", None, []),
        (None, 3, [3, 4]),  # no Last-Event-ID during the run: live events from now on only
        ("-1", 3, [0, 1, 2, 3, 4]),  # replay, then live
        ("1795265433389-0", 2, [1, 2, 3, 4]),
        ("1795265433512-0", None, []),  # the last id: empty body
        ("garbage", None, []),  # sorts after every id
        ("garbage", 2, [2, 3, 4]),  # ...but the live events still come
    ],
)
def test_replay_model_matches_the_wire_notes(
    last_event_id: str | None, produced: int | None, expected: list[int]
) -> None:
    assert replay(RUN, last_event_id, produced=produced) == [RUN[i] for i in expected]


def test_replay_model_compares_ids_as_strings_like_the_server() -> None:
    run = [event("values", n, f"{n}-0") for n in (8, 9, 10, 11)]
    # "10-0" < "9-0" as strings: the in-memory server replays by string order.
    assert [e.data for e in replay(run, "9-0")] == []
    assert [e.data for e in replay(run, "10-0")] == [8, 9, 11]  # in stream order


def test_events_without_ids_are_never_replayed_only_live() -> None:
    run = [event("metadata", {"run_id": "R"}), event("values", 1), event("values", 2)]
    assert replay(run, "-1") == []  # not resumable, after finish
    assert replay(run, "-1", produced=1) == run[1:]
    assert replay(run, None, produced=2) == run[2:]


async def test_resumable_run_join_without_last_event_id_gets_live_events_only(
    fs: FaultServer, client: httpx.AsyncClient
) -> None:
    run = fs.resumable_run(EVENTS, fail_after=[3, 1], fault="reset")
    got, exc, _ = await _collect_sse(client, "POST", fs.url_for(run.create_path), json={})
    assert exc is not None and len(got) == 3
    # The run is 3 events in: a join without an id starts there, not at the beginning.
    live, exc, _ = await _collect_sse(client, "GET", fs.url_for(run.join_path))
    assert exc is not None and [e.id for e in live] == [run.events[3].id]
    # The run moved on to 4; "-1" still replays everything.
    everything, exc, _ = await _collect_sse(
        client, "GET", fs.url_for(run.join_path), headers={"Last-Event-ID": "-1"}
    )
    assert exc is None and [e.id for e in everything] == [e.id for e in run.events]
    # Finished: a join without an id gets nothing.
    nothing, exc, _ = await _collect_sse(client, "GET", fs.url_for(run.join_path))
    assert exc is None and nothing == []
    assert run.last_event_ids == [None, "-1", None]
