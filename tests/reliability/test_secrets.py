"""Redirects and secrets: the API key goes to the configured origin only, and never into text.

`other` is a second server on another port (another origin): it must see no request at all.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIError,
    APIStatusError,
    Client,
    LangGraphError,
    get_client,
)
from tests.faultserver import (
    FaultServer,
    close_connection,
    event,
    html_response,
    json_response,
    redirect,
    sse,
    stall,
    text_response,
)

from .conftest import API_KEY, EVENTS, ClientFactory, collect, free_port

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

WAIT = "/threads/T/runs/wait"
RUN_PATH = "/threads/T/runs/R"
RUN = {"run_id": "R", "thread_id": "T"}


def assert_no_key(*texts: str) -> None:
    for text in texts:
        assert API_KEY not in text
        assert "SECRET" not in text


def exception_texts(exc: BaseException) -> list[str]:
    """str, repr and the formatted traceback (chained causes included) of an exception."""
    texts = ["".join(traceback.format_exception(exc))]
    seen: BaseException | None = exc
    while seen is not None:
        texts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return texts


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("status", [307, 308])
async def test_same_origin_307_308_followed_with_body(
    fs: FaultServer, client: Client, status: int
) -> None:
    fs.route("POST", WAIT, redirect(fs.url_for("/moved/threads/T/runs/wait"), status))
    fs.route("POST", "/moved/threads/T/runs/wait", json_response(200, {"done": 1}))
    assert await client.runs.wait("T", "agent", input={"x": 1}) == {"done": 1}
    first, second = fs.requests
    assert (first.path, second.path) == (WAIT, "/moved/threads/T/runs/wait")
    assert second.method == "POST"
    assert second.body == first.body and second.json()["input"] == {"x": 1}
    assert second.header("x-api-key") == API_KEY


async def test_relative_redirect_followed(fs: FaultServer, client: Client) -> None:
    fs.route("GET", RUN_PATH, redirect("/v2" + RUN_PATH, 302))
    fs.route("GET", "/v2" + RUN_PATH, json_response(200, RUN))
    assert await client.runs.get("T", "R") == RUN
    assert [r.path for r in fs.requests] == [RUN_PATH, "/v2" + RUN_PATH]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_cross_origin_redirect_refused(
    fs: FaultServer, other: FaultServer, client: Client, status: int, method: str
) -> None:
    other.always(None, "*", json_response(200, {"stolen": True}))
    fs.route(method, "*", redirect(other.url_for("/anything"), status))
    call = client.runs.get("T", "R") if method == "GET" else client.runs.wait("T", "agent")
    with pytest.raises(APIStatusError) as info:
        await asyncio.wait_for(call, 5)
    assert info.value.status_code == status
    assert "another origin" in str(info.value)
    assert other.requests == []
    assert fs.count() == 1  # and not retried
    for text in exception_texts(info.value):
        assert_no_key(text)


async def test_redirect_to_same_server_under_another_host_name_refused(
    fs: FaultServer, client: Client
) -> None:
    fs.route("GET", "/ok", redirect(f"http://localhost:{fs.port}/ok", 307))
    with pytest.raises(APIStatusError):
        await client.health()
    assert fs.count() == 1


async def test_cross_origin_redirect_refused_even_if_user_client_follows_redirects(
    fs: FaultServer, other: FaultServer
) -> None:
    other.always(None, "*", json_response(200, {}))
    fs.route("GET", "/ok", redirect(other.url_for("/ok"), 302))
    async with httpx.AsyncClient(follow_redirects=True) as own:
        client = get_client(url=fs.url, api_key=API_KEY, http_client=own)
        with pytest.raises(APIStatusError):
            await client.health()
    assert other.requests == []


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_post_redirect_that_would_drop_the_body_refused(
    fs: FaultServer, client: Client, status: int
) -> None:
    fs.route("POST", WAIT, redirect(fs.url_for("/elsewhere"), status))
    fs.always("*", "/elsewhere", json_response(200, {}))
    with pytest.raises(APIStatusError) as info:
        await client.runs.wait("T", "agent")
    assert info.value.status_code == status
    assert fs.count() == 1
    assert fs.count(None, "/elsewhere") == 0


async def test_redirect_without_location_refused(fs: FaultServer, client: Client) -> None:
    fs.route("GET", "/ok", json_response(302, None))
    with pytest.raises(APIStatusError, match="Location"):
        await client.health()


async def test_redirect_loop_is_bounded(fs: FaultServer, client: Client) -> None:
    fs.always("GET", "/a", redirect(fs.url_for("/b"), 307))
    fs.always("GET", "/b", redirect(fs.url_for("/a"), 307))
    fs.always("GET", "/ok", redirect(fs.url_for("/a"), 307))
    with pytest.raises(APIStatusError) as info:
        await asyncio.wait_for(client.health(), 5)
    assert info.value.status_code == 307
    assert fs.count() <= 10


# --------------------------------------------------------------------------- resume origin


async def test_resume_goes_to_the_original_origin(
    fs: FaultServer, other: FaultServer, client: Client
) -> None:
    other.always(None, "*", sse([event("values", {"evil": True})]))
    run = fs.resumable_run(
        EVENTS,
        fail_after=3,
        content_location=other.url_for("/threads/T/runs/R"),
        location=other.url_for("/threads/T/runs/R/stream"),
    )
    parts = await asyncio.wait_for(
        collect(client.runs.stream("T", "agent", stream_resumable=True)), 5
    )
    assert [p.data for p in parts] == [e.data for e in run.events]
    assert other.requests == []
    join = fs.last("GET", "/threads/T/runs/R/stream")
    assert join.header("x-api-key") == API_KEY


# --------------------------------------------------------------------------- the key in text


async def test_key_sent_as_x_api_key_only(fs: FaultServer, client: Client) -> None:
    fs.route("GET", "/ok", json_response(200, {}))
    await client.health()
    record = fs.last()
    assert record.header("x-api-key") == API_KEY
    assert record.header("authorization") is None
    assert API_KEY not in record.path + record.query


async def test_key_not_in_client_or_stream_reprs(fs: FaultServer, client: Client) -> None:
    fs.route("POST", "/threads/T/runs/stream", sse(EVENTS))
    assert_no_key(repr(client), str(client), repr(client.with_options(max_retries=0)))
    assert "api_key=set" in repr(client)
    stream = client.runs.stream("T", "agent", stream_resumable=True)
    assert_no_key(repr(stream))
    async with stream:
        async for _ in stream:
            assert_no_key(repr(stream), repr(stream.response))
    assert_no_key(repr(stream))


ErrorCase = Callable[[FaultServer, FaultServer, Client], Awaitable[Any]]


async def _status_401(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("GET", "/ok", json_response(401, {"detail": "Invalid API key"}))
    return await client.health()


async def _status_422(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("POST", WAIT, json_response(422, {"detail": [{"loc": ["body"], "msg": "bad"}]}))
    return await client.runs.wait("T", "agent")


async def _html_502(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.always("GET", "/ok", html_response(502))
    return await client.health()


async def _refused(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    dead = get_client(url=f"http://127.0.0.1:{free_port()}", api_key=API_KEY, max_retries=0)
    try:
        return await dead.health()
    finally:
        await dead.aclose()


async def _reset(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("POST", WAIT, close_connection(reset=True))
    return await client.runs.wait("T", "agent")


async def _timeout(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("POST", WAIT, stall())
    return await client.runs.wait("T", "agent", timeout=0.2)


async def _bad_json(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("GET", "/ok", text_response(200, "not json"))
    return await client.health()


async def _bad_event(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("POST", "/runs/stream", sse([b"event: x\r\ndata: {nope\r\n\r\n"]))
    return await collect(client.runs.stream(None, "agent"))


async def _stream_lost(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.resumable_run(EVENTS, fail_after=[1] * 5)
    return await collect(client.runs.stream("T", "a", stream_resumable=True, max_reconnects=2))


async def _cross_origin(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("GET", "/ok", redirect(other.url_for("/ok"), 307))
    return await client.health()


async def _run_failed(fs: FaultServer, other: FaultServer, client: Client) -> Any:
    fs.route("POST", WAIT, json_response(200, {"__error__": {"error": "E", "message": "m"}}))
    return await client.runs.wait("T", "agent")


ERROR_CASES: dict[str, ErrorCase] = {
    "401": _status_401,
    "422": _status_422,
    "html-502": _html_502,
    "refused": _refused,
    "reset": _reset,
    "timeout": _timeout,
    "bad-json": _bad_json,
    "bad-event": _bad_event,
    "stream-lost": _stream_lost,
    "cross-origin": _cross_origin,
    "run-failed": _run_failed,
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
async def test_key_never_in_exceptions_or_debug_logs(
    fs: FaultServer,
    other: FaultServer,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    client = make_client(max_retries=1)
    with caplog.at_level(logging.DEBUG), pytest.raises(LangGraphError) as info:
        await asyncio.wait_for(ERROR_CASES[case](fs, other, client), 5)
    for text in exception_texts(info.value):
        assert_no_key(text)
    if isinstance(info.value, APIError):
        assert_no_key(repr(info.value.request))
    assert_no_key(caplog.text)
    for record in caplog.records:
        assert_no_key(record.getMessage(), repr(record.args))


async def test_debug_logs_of_a_busy_session_hold_no_key(
    fs: FaultServer,
    other: FaultServer,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fs.route("GET", "/ok", json_response(503), redirect("/ok2", 307))
    fs.route("GET", "/ok2", json_response(200, {}))
    fs.resumable_run(EVENTS, fail_after=[2, 2], fault="reset")
    with caplog.at_level(logging.DEBUG, logger="langgraph_client"):
        await client.health()
        await collect(client.runs.stream("T", "a", stream_resumable=True))
    messages = [r.getMessage() for r in caplog.records if r.name == "langgraph_client"]
    assert any("retrying" in m for m in messages)
    assert any("redirect" in m for m in messages)
    assert any("resuming" in m for m in messages)
    assert_no_key(caplog.text, *messages)


async def test_key_echoed_by_the_server_is_redacted(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(max_retries=0)
    fs.route("GET", "/ok", text_response(400, f"Bad request. Headers: x-api-key: {API_KEY}"))
    with pytest.raises(APIStatusError) as info:
        await client.health()
    assert_no_key(str(info.value), repr(info.value))


async def test_absolute_content_location_does_not_move_the_resume(
    fs: FaultServer, other: FaultServer, client: Client
) -> None:
    """Only the ids are read from Content-Location; the resume stays on the configured origin."""
    other.always(None, "*", json_response(200, {}))
    fs.resumable_run(
        EVENTS,
        fail_after=2,
        thread_id="T",
        run_id="R",
        content_location=f"{other.url}/threads/T/runs/R?next={other.url}",
    )
    parts = await asyncio.wait_for(collect(client.runs.stream("T", "a", stream_resumable=True)), 5)
    assert len(parts) == len(EVENTS)
    assert other.requests == []


async def test_resume_redirected_to_another_origin_is_refused(
    fs: FaultServer, other: FaultServer, client: Client
) -> None:
    other.always(None, "*", sse(EVENTS))
    numbered = [event(e.event, e.data, f"{i}-0") for i, e in enumerate(EVENTS)]
    fs.route(
        "POST",
        "/threads/T/runs/stream",
        sse(numbered, after=2, end="reset", content_location="/threads/T/runs/R"),
    )
    fs.always("GET", "/threads/T/runs/R/stream", redirect(other.url_for("/steal"), 307))
    with pytest.raises(APIStatusError):
        await asyncio.wait_for(collect(client.runs.stream("T", "a", stream_resumable=True)), 5)
    assert other.requests == []


async def test_url_credentials_not_in_client_repr(fs: FaultServer) -> None:
    client = get_client(url=f"http://user:{API_KEY}@127.0.0.1:{fs.port}", api_key=None)
    try:
        assert_no_key(repr(client), str(client))
    finally:
        await client.aclose()
