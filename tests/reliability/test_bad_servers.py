"""Bad servers and proxies: every wrong answer is a typed exception, never a hang or a wrong result.

Each call is wrapped in `asyncio.wait_for(..., 5)`: a hang fails the test instead of the suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest

from langgraph_client import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    Client,
    InternalServerError,
    RunFailedError,
    StreamPart,
    _sse,
)
from tests.faultserver import (
    FaultServer,
    event,
    html_response,
    json_response,
    raw_response,
    sse,
    text_response,
    wait_response,
)

from .conftest import EVENTS, ClientFactory, collect

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

T = TypeVar("T")

STREAM = "/runs/stream"
WAIT = "/threads/T/runs/wait"
RUN_PATH = "/threads/T/runs/R"
GOOD = event("values", {"ok": True})


async def bounded(aw: Awaitable[T]) -> T:
    return await asyncio.wait_for(aw, 5)


async def stream_parts(client: Client, **kwargs: Any) -> list[StreamPart]:
    return await bounded(collect(client.runs.stream(None, "agent", **kwargs)))


# --------------------------------------------------------------------------- event streams


@pytest.mark.parametrize(
    "raw",
    [
        b"event: values\r\ndata: {not json\r\n\r\n",
        b"event: values\r\ndata: \xff\xfe\r\n\r\n",  # invalid UTF-8 in data
        b'event: values\r\ndata: {"a": 1}\r\ndata: {"b": 2}\r\n\r\n',  # two JSON docs
        b"data: undefined\n\n",
    ],
    ids=["broken-json", "bad-utf8-data", "two-data-lines", "bare-word"],
)
async def test_non_json_event_data(fs: FaultServer, client: Client, raw: bytes) -> None:
    fs.route("POST", STREAM, sse([GOOD, raw, GOOD]))
    got: list[StreamPart] = []
    with pytest.raises(APIResponseValidationError) as info:
        async with client.runs.stream(None, "agent") as stream:
            async for part in bounded_iter(stream):
                got.append(part)
    assert got == [StreamPart("values", {"ok": True}, None)]
    assert info.value.response is not None
    assert fs.count() == 1  # not retried, not resumed


async def bounded_iter(stream: Any, limit: int = 100) -> Any:
    """`async for` over a stream, each step bounded in time, the whole bounded in count."""
    for _ in range(limit):
        try:
            yield await asyncio.wait_for(stream.__anext__(), 5)
        except StopAsyncIteration:
            return
    raise AssertionError("stream did not end")


async def test_invalid_utf8_in_event_name(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse([GOOD, b"event: val\xffues\r\ndata: {}\r\n\r\n"]))
    with pytest.raises(APIResponseValidationError, match="UTF-8"):
        await stream_parts(client)


async def test_invalid_utf8_in_event_id(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse([b"event: values\r\ndata: {}\r\nid: \xc3\x28\r\n\r\n"]))
    with pytest.raises(APIResponseValidationError):
        await stream_parts(client)


async def test_garbage_lines_are_ignored_as_sse_says(fs: FaultServer, client: Client) -> None:
    """Lines that are no SSE field are skipped (WHATWG rules); the stream still ends."""
    garbage = b"\x00\x01 no colon here\r\nHTTP/1.1 200 OK\r\n\xff\xfe\xfd\r\n:comment\r\n\r\n"
    fs.route("POST", STREAM, sse([garbage, GOOD, garbage]))
    parts = await stream_parts(client)
    assert parts == [StreamPart("values", {"ok": True}, None)]


async def test_oversized_event(
    fs: FaultServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sse, "DEFAULT_MAX_EVENT_BYTES", 4096)
    fits = event("values", {"pad": "a" * 3000})
    huge = event("values", {"pad": "b" * 200_000})  # spans several network reads
    fs.route("POST", STREAM, sse([fits, huge, GOOD]))
    got: list[StreamPart] = []
    with pytest.raises(APIResponseValidationError, match="exceeds"):
        async with client.runs.stream(None, "agent") as stream:
            async for part in bounded_iter(stream):
                got.append(part)
    assert [len(p.data["pad"]) for p in got] == [3000]
    assert fs.count() == 1


async def test_oversized_event_within_one_read(
    fs: FaultServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit holds however the bytes were chunked (here: the whole event in one read)."""
    monkeypatch.setattr(_sse, "DEFAULT_MAX_EVENT_BYTES", 256)
    fs.route("POST", STREAM, sse([event("values", {"pad": "b" * 2000})]))
    with pytest.raises(APIResponseValidationError, match="exceeds"):
        await stream_parts(client)


async def test_oversized_line_without_end(
    fs: FaultServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line that never ends (no newline, the server keeps sending) is cut off at the limit
    instead of buffered without bound."""
    monkeypatch.setattr(_sse, "DEFAULT_MAX_EVENT_BYTES", 4096)
    endless = [b"data: " + b"x" * 1000 for _ in range(20)]
    fs.route("POST", STREAM, sse(endless, end="stall"))
    with pytest.raises(APIResponseValidationError):
        await stream_parts(client)
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)


async def test_broken_chunked_framing_on_a_stream(fs: FaultServer, client: Client) -> None:
    fs.route(
        "POST",
        STREAM,
        raw_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            b"zz\r\nevent: values\r\n"
        ),
    )
    with pytest.raises(APIConnectionError):
        await stream_parts(client)
    assert fs.count() == 1


async def test_malformed_status_line(fs: FaultServer, client: Client) -> None:
    fs.route("POST", WAIT, raw_response(b"garbage\r\n\r\n"))
    with pytest.raises(APIConnectionError):
        await bounded(client.runs.wait("T", "agent"))
    assert fs.count() == 1


@pytest.mark.parametrize("path_call", ["stream", "join_stream"])
async def test_json_200_on_a_stream_endpoint(
    fs: FaultServer, client: Client, path_call: str
) -> None:
    fs.always("POST", STREAM, json_response(200, {"run_id": "R"}))
    fs.always("GET", "/threads/T/runs/R/stream", json_response(200, {"run_id": "R"}))
    stream = (
        client.runs.stream(None, "agent", stream_resumable=True)
        if path_call == "stream"
        else client.runs.join_stream("T", "R")
    )
    with pytest.raises(APIResponseValidationError, match="application/json"):
        await bounded(collect(stream))
    assert fs.count() == 1  # neither retried nor "resumed"


async def test_error_event_with_raise_error_ends_the_stream(
    fs: FaultServer, client: Client
) -> None:
    failing = [
        event("metadata", {"run_id": "R"}),
        event("error", {"error": "ValueError", "message": "boom"}),
        *(event("values", {"n": n}) for n in range(20)),
    ]
    fs.route("POST", "/threads/T/runs/stream", sse(failing, interval=0.02))
    fs.route("POST", "/threads/T/runs/stream", sse(failing))
    with pytest.raises(RunFailedError) as info:
        await bounded(collect(client.runs.stream("T", "agent", raise_error=True)))
    assert (info.value.error, info.value.message) == ("ValueError", "boom")
    assert info.value.run_id == "R"
    await fs.wait_until(lambda: fs.last().client_closed, timeout=2)
    # Without raise_error the error is a part like any other and iteration still ends.
    parts = await bounded(collect(client.runs.stream("T", "agent")))
    assert [p.event for p in parts[:2]] == ["metadata", "error"]
    assert len(parts) == len(failing)


async def test_stream_without_events_ends(fs: FaultServer, client: Client) -> None:
    fs.route("POST", STREAM, sse([], heartbeat=0.02, linger=0.1))
    assert await stream_parts(client) == []


# --------------------------------------------------------------------------- JSON bodies

LONG = b'{"run_id": "R", "thread_id": "T", "values": "' + b"v" * 300 + b'"}'


async def test_truncated_json_with_correct_framing(fs: FaultServer, client: Client) -> None:
    fs.route("GET", RUN_PATH, json_response(200, LONG, truncate=30), json_response(200, {}))
    fs.route("POST", WAIT, wait_response(LONG, truncate=30))
    with pytest.raises(APIResponseValidationError) as info:
        await bounded(client.runs.get("T", "R"))
    assert "expected a JSON body" in str(info.value)
    with pytest.raises(APIResponseValidationError):
        await bounded(client.runs.wait("T", "agent"))
    assert fs.count("GET", RUN_PATH) == 1  # a complete answer: not a transient failure
    assert fs.count("POST", WAIT) == 1


@pytest.mark.parametrize("end", ["close", "reset"])
async def test_truncated_by_a_dropped_connection(fs: FaultServer, client: Client, end: Any) -> None:
    fs.route("POST", WAIT, wait_response(LONG, truncate=30, end=end))
    fs.route("POST", "/threads/T/runs", json_response(200, LONG, truncate=30, end=end))
    with pytest.raises(APIConnectionError) as info:
        await bounded(client.runs.wait("T", "agent"))
    assert not isinstance(info.value, APIResponseValidationError)
    with pytest.raises(APIConnectionError):
        await bounded(client.runs.create("T", "agent"))
    assert fs.count("POST", WAIT) == 1
    assert fs.count("POST", "/threads/T/runs") == 1


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>502 Bad Gateway</title>
<style>body { color: red }</style></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>
"""


async def test_html_502_page(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(max_retries=0)
    fs.route("GET", RUN_PATH, html_response(502, PAGE))
    fs.route("POST", WAIT, html_response(502, PAGE))
    for call in (client.runs.get("T", "R"), client.runs.wait("T", "agent")):
        with pytest.raises(InternalServerError) as info:
            await bounded(call)
        text = str(info.value)
        assert "502 Bad Gateway" in text
        assert "<" not in text and ">" not in text
        assert info.value.status_code == 502
        assert info.value.body is None


async def test_html_page_without_title(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(max_retries=0)
    page = (
        "<html><body><script>var x = '<b>';</script>"
        "<h1>Upstream</h1> <p>timed out</p></body></html>"
    )
    fs.route("GET", "/ok", html_response(504, page))
    with pytest.raises(InternalServerError) as info:
        await bounded(client.health())
    assert "Upstream timed out" in str(info.value)
    assert "<" not in str(info.value) and "var x" not in str(info.value)


async def test_huge_error_page_is_cut_in_the_message(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(max_retries=0)
    fs.route("GET", "/ok", text_response(500, "e" * 100_000))
    with pytest.raises(InternalServerError) as info:
        await bounded(client.health())
    assert len(str(info.value)) < 3000


async def test_plain_text_200_on_a_json_endpoint(fs: FaultServer, client: Client) -> None:
    fs.route("GET", RUN_PATH, text_response(200, "Service is up and running!"))
    with pytest.raises(APIResponseValidationError) as info:
        await bounded(client.runs.get("T", "R"))
    assert "text/plain" in str(info.value)
    assert fs.count() == 1


async def test_wait_body_after_newline_heartbeats(fs: FaultServer, client: Client) -> None:
    final = {"messages": [{"type": "ai", "content": "hi"}]}
    fs.route("POST", WAIT, wait_response(final, heartbeats=5, interval=0.02))
    assert await bounded(client.runs.wait("T", "agent")) == final


async def test_empty_200_body_is_none_for_non_run_calls(fs: FaultServer, client: Client) -> None:
    fs.route("DELETE", "/threads/T", json_response(200, b""))
    fs.route("POST", f"{RUN_PATH}/cancel", json_response(200, b""))
    fs.route("DELETE", RUN_PATH, json_response(204))
    assert await bounded(client.threads.delete("T")) is None
    assert await bounded(client.runs.cancel("T", "R")) is None
    assert await bounded(client.runs.delete("T", "R")) is None


async def test_error_status_with_text_body_and_request_id(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(max_retries=0)
    fs.route("GET", "/ok", text_response(500, "boom", headers={"x-request-id": "req-42"}))
    with pytest.raises(InternalServerError) as info:
        await bounded(client.health())
    assert "boom" in str(info.value)
    assert info.value.request_id == "req-42"
    assert "req-42" in str(info.value)


async def test_unknown_status_is_a_status_error(fs: FaultServer, client: Client) -> None:
    fs.route("GET", "/ok", json_response(418, {"detail": "teapot"}))
    with pytest.raises(APIStatusError) as info:
        await bounded(client.health())
    assert info.value.status_code == 418
    assert "teapot" in str(info.value)
    assert fs.count() == 1


async def test_a_full_stream_is_delivered(fs: FaultServer, client: Client) -> None:
    """The control case: the same machinery with a well-behaved server."""
    fs.route("POST", STREAM, sse(EVENTS))
    parts = await stream_parts(client)
    assert [(p.event, p.data) for p in parts] == [(e.event, e.data) for e in EVENTS]
