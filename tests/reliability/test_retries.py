"""Retries: what is sent again, how many times, after how long, and what never is.

The server's request log is the witness: every assertion on an outcome is paired with how many
requests the server actually received.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    _retry,
    get_client,
)
from tests.faultserver import (
    FaultServer,
    close_connection,
    html_response,
    json_response,
    sse,
    wait_response,
)

from .conftest import API_KEY, EVENTS, TEST_TIMEOUT, ClientFactory, collect, free_port

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

RUN = {"run_id": "R", "thread_id": "T", "status": "success"}
RUN_PATH = "/threads/T/runs/R"


# --------------------------------------------------------------------------- safe requests


async def test_get_503_with_retry_after_then_200(fs: FaultServer, client: Client) -> None:
    fs.route(
        "GET",
        RUN_PATH,
        json_response(503, {"detail": "busy"}, retry_after=0.01),
        json_response(200, RUN),
    )
    assert await client.runs.get("T", "R") == RUN
    assert fs.count("GET", RUN_PATH) == 2


async def test_health_429_then_200(fs: FaultServer, client: Client) -> None:
    fs.route(
        "GET", "/ok", json_response(429, {"detail": "slow down"}), json_response(200, {"ok": 1})
    )
    assert await client.health() == {"ok": 1}
    assert fs.count("GET", "/ok") == 2


async def test_get_502_html_page_then_200(fs: FaultServer, client: Client) -> None:
    fs.route("GET", RUN_PATH, html_response(502), json_response(200, RUN))
    assert await client.runs.get("T", "R") == RUN
    assert fs.count("GET", RUN_PATH) == 2


@pytest.mark.parametrize("status", [408, 504])
async def test_get_other_transient_statuses_retried(
    fs: FaultServer, client: Client, status: int
) -> None:
    fs.route("GET", "/ok", json_response(status, {"detail": "x"}), json_response(200, {}))
    assert await client.health() == {}
    assert fs.count("GET", "/ok") == 2


async def test_retries_are_bounded_by_max_retries(
    fs: FaultServer, make_client: ClientFactory
) -> None:
    client = make_client(max_retries=2)
    fs.always("GET", RUN_PATH, json_response(503, {"detail": "down"}))
    with pytest.raises(InternalServerError) as info:
        await client.runs.get("T", "R")
    assert info.value.status_code == 503
    assert "down" in str(info.value)
    assert fs.count("GET", RUN_PATH) == 3


async def test_default_is_two_retries(fs: FaultServer, client: Client) -> None:
    fs.always("GET", "/ok", json_response(503))
    with pytest.raises(InternalServerError):
        await client.health()
    assert fs.count("GET", "/ok") == 3


async def test_max_retries_zero_sends_once(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(max_retries=0)
    fs.always("GET", RUN_PATH, json_response(503))
    with pytest.raises(InternalServerError):
        await client.runs.get("T", "R")
    assert fs.count("GET", RUN_PATH) == 1


async def test_with_options_max_retries_zero(fs: FaultServer, client: Client) -> None:
    fs.always("GET", "/ok", json_response(503))
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=0).health()
    assert fs.count("GET", "/ok") == 1
    # The original client keeps its own policy.
    fs.clear_log()
    with pytest.raises(InternalServerError):
        await client.health()
    assert fs.count("GET", "/ok") == 3


async def test_negative_max_retries_rejected(fs: FaultServer) -> None:
    with pytest.raises(ValueError):
        get_client(url=fs.url, api_key=None, max_retries=-1)


async def test_409_never_retried_on_get(fs: FaultServer, client: Client) -> None:
    fs.always("GET", RUN_PATH, json_response(409, {"detail": "Thread is busy"}))
    with pytest.raises(ConflictError) as info:
        await client.runs.get("T", "R")
    assert "Thread is busy" in str(info.value)
    assert fs.count("GET", RUN_PATH) == 1


async def test_409_never_retried_on_safe_post(fs: FaultServer, client: Client) -> None:
    fs.always("POST", f"{RUN_PATH}/cancel", json_response(409, {"detail": "busy"}))
    with pytest.raises(ConflictError):
        await client.runs.cancel("T", "R")
    assert fs.count("POST", f"{RUN_PATH}/cancel") == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
    ],
)
async def test_client_errors_never_retried(
    fs: FaultServer, client: Client, status: int, cls: type[APIStatusError]
) -> None:
    fs.always("GET", RUN_PATH, json_response(status, {"detail": f"nope {status}"}))
    with pytest.raises(cls) as info:
        await client.runs.get("T", "R")
    assert info.value.status_code == status
    assert f"nope {status}" in str(info.value)
    assert fs.count("GET", RUN_PATH) == 1


# Issue 8, bug 4: these used to be re-sent by the by-method rule, a broken 2xx body included.
NOT_REPEATABLE: dict[str, tuple[str, str, Callable[[Client], Awaitable[Any]]]] = {
    "assistants.update": (
        "PATCH",
        "/assistants/A",
        lambda c: c.assistants.update("A", metadata={"v": 2}),
    ),
    "assistants.delete": ("DELETE", "/assistants/A", lambda c: c.assistants.delete("A")),
    "threads.delete": ("DELETE", "/threads/T", lambda c: c.threads.delete("T")),
    "runs.delete": ("DELETE", RUN_PATH, lambda c: c.runs.delete("T", "R")),
    "runs.cancel": ("POST", f"{RUN_PATH}/cancel", lambda c: c.runs.cancel("T", "R", wait=True)),
    "runs.cancel_many": ("POST", "/runs/cancel", lambda c: c.runs.cancel_many(thread_id="T")),
    "crons.delete": ("DELETE", "/runs/crons/C", lambda c: c.crons.delete("C")),
    "store.delete_item": ("DELETE", "/store/items", lambda c: c.store.delete_item(["n"], "k")),
}


@pytest.mark.parametrize("call", list(NOT_REPEATABLE))
async def test_write_whose_2xx_body_broke_off_is_not_sent_again(
    fs: FaultServer, client: Client, call: str
) -> None:
    method, path, invoke = NOT_REPEATABLE[call]
    body = {"assistant_id": "A", "version": 2, "pad": "x" * 200}
    fs.route(method, path, json_response(200, body, truncate=30, end="reset"), json_response(200))
    with pytest.raises(APIConnectionError):
        await invoke(client)
    assert fs.count(method, path) == 1  # the server did it once; a second send would redo it


@pytest.mark.parametrize("call", list(NOT_REPEATABLE))
async def test_write_on_502_or_reset_is_not_sent_again(
    fs: FaultServer, client: Client, call: str
) -> None:
    method, path, invoke = NOT_REPEATABLE[call]
    fs.route(method, path, json_response(502), close_connection(reset=True), json_response(200))
    with pytest.raises(InternalServerError):
        await invoke(client)
    with pytest.raises(APIConnectionError):
        await invoke(client)
    assert fs.count(method, path) == 2


@pytest.mark.parametrize("call", list(NOT_REPEATABLE))
async def test_write_sent_again_when_it_never_left(
    make_client: ClientFactory, sleeps: SleepRecorder, call: str
) -> None:
    _method, _path, invoke = NOT_REPEATABLE[call]
    client = make_client(url=f"http://127.0.0.1:{free_port()}", max_retries=2)
    with pytest.raises(APIConnectionError) as info:
        await invoke(client)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(sleeps.delays) == 2  # refused twice more: it never reached a server


async def test_idempotent_writes_are_sent_again_after_a_reset(
    fs: FaultServer, client: Client
) -> None:
    fs.route("PATCH", "/threads/T", close_connection(reset=True), json_response(200, {"x": 1}))
    fs.route("PUT", "/store/items", json_response(503), json_response(204))
    fs.route(
        "POST",
        "/assistants/A/latest",
        json_response(200, {"a": 1}, truncate=3, end="reset"),
        json_response(200, {"a": 1}),
    )
    assert await client.threads.update("T", metadata={"k": 1}) == {"x": 1}
    await client.store.put_item(["n"], "k", {"v": 1})
    assert await client.assistants.set_latest("A", 2) == {"a": 1}
    assert fs.count("PATCH", "/threads/T") == 2
    assert fs.count("PUT", "/store/items") == 2
    assert fs.count("POST", "/assistants/A/latest") == 2


async def test_create_with_a_fixed_id_and_do_nothing_is_sent_again(
    fs: FaultServer, client: Client
) -> None:
    thread = {"thread_id": "T"}
    fs.route("POST", "/threads", json_response(503), json_response(200, thread))
    assert await client.threads.create(thread_id="T", if_exists="do_nothing") == thread
    assert fs.count("POST", "/threads") == 2
    fs.clear_log()
    fs.route("POST", "/threads", json_response(503), json_response(200, thread))
    with pytest.raises(InternalServerError):
        await client.threads.create(thread_id="T")  # might raise 409 or make a copy: once
    assert fs.count("POST", "/threads") == 1


@pytest.mark.parametrize("reset", [True, False], ids=["reset", "close"])
async def test_get_dropped_before_any_response_retried(
    fs: FaultServer, client: Client, reset: bool
) -> None:
    fs.route("GET", RUN_PATH, close_connection(reset=reset), json_response(200, RUN))
    assert await client.runs.get("T", "R") == RUN
    assert fs.count("GET", RUN_PATH) == 2


async def test_get_read_timeout_retried(fs: FaultServer, make_client: ClientFactory) -> None:
    client = make_client(timeout=httpx.Timeout(2.0, read=0.2))
    fs.route("GET", RUN_PATH, json_response(200, RUN, delay=1.0), json_response(200, RUN))
    assert await asyncio.wait_for(client.runs.get("T", "R"), 5) == RUN
    assert fs.count("GET", RUN_PATH) == 2


@pytest.mark.parametrize("end", ["reset", "close"])
async def test_get_dropped_mid_body_retried(fs: FaultServer, client: Client, end: str) -> None:
    # The docs: every GET is retried on "any connection error (refused, reset, timeout)".
    body = b'{"run_id": "R", "thread_id": "T", "status": "success", "pad": "' + b"x" * 500 + b'"}'
    fs.route(
        "GET",
        RUN_PATH,
        json_response(200, body, truncate=40, end=end),  # type: ignore[arg-type]
        json_response(200, RUN),
    )
    assert await client.runs.get("T", "R") == RUN
    assert fs.count("GET", RUN_PATH) == 2


# --------------------------------------------------------------------------- run-creating POSTs

RunCall = Callable[[Client], Awaitable[Any]]


async def _wait(client: Client) -> Any:
    return await client.runs.wait("T", "agent", input={"x": 1})


async def _stream(client: Client) -> Any:
    return await collect(client.runs.stream("T", "agent", input={"x": 1}))


async def _create(client: Client) -> Any:
    return await client.runs.create("T", "agent", input={"x": 1})


async def _create_batch(client: Client) -> Any:
    return await client.runs.create_batch([{"assistant_id": "agent", "input": {}}])


async def _thread_create(client: Client) -> Any:
    return await client.threads.create()


async def _thread_copy(client: Client) -> Any:
    return await client.threads.copy("T")


async def _assistant_create(client: Client) -> Any:
    return await client.assistants.create("agent")


async def _cron_create(client: Client) -> Any:
    return await client.crons.create("agent", schedule="* * * * *")


RUN_CREATORS: dict[str, tuple[str, RunCall]] = {
    "runs.wait": ("/threads/T/runs/wait", _wait),
    "runs.stream": ("/threads/T/runs/stream", _stream),
    "runs.create": ("/threads/T/runs", _create),
    "runs.create_batch": ("/runs/batch", _create_batch),
    "threads.create": ("/threads", _thread_create),
    "threads.copy": ("/threads/T/copy", _thread_copy),
    "assistants.create": ("/assistants", _assistant_create),
    "crons.create": ("/runs/crons", _cron_create),
}


@pytest.mark.parametrize("name", list(RUN_CREATORS))
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (json_response(503, {"detail": "x"}, retry_after=0), InternalServerError),
        (json_response(429, {"detail": "x"}), RateLimitError),
        (html_response(502), InternalServerError),
        (close_connection(), APIConnectionError),
        (close_connection(reset=True), APIConnectionError),
    ],
    ids=["503", "429", "502-html", "close-before-headers", "reset-before-headers"],
)
async def test_creating_posts_not_retried(
    fs: FaultServer, client: Client, name: str, fault: Any, error: type[Exception]
) -> None:
    # A close before the status line may still come after the server read the body and
    # started the run: it must not be sent twice.
    path, call = RUN_CREATORS[name]
    fs.route("POST", path, fault, json_response(200, RUN))
    with pytest.raises(error):
        await asyncio.wait_for(call(client), 5)
    assert fs.count("POST", path) == 1


TRUNCATED = b'{"run_id": "R", "thread_id": "T", "values": "' + b"v" * 300 + b'"}'


@pytest.mark.parametrize("end", ["reset", "close"])
@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("runs.wait", lambda end: wait_response(TRUNCATED, truncate=30, end=end)),
        ("runs.create", lambda end: json_response(200, TRUNCATED, truncate=30, end=end)),
        ("runs.stream", lambda end: sse(EVENTS, after=2, end=end)),
    ],
)
async def test_creating_posts_not_retried_mid_response(
    fs: FaultServer, client: Client, name: str, fault: Any, end: str
) -> None:
    path, call = RUN_CREATORS[name]
    fs.route("POST", path, fault(end), json_response(200, RUN))
    with pytest.raises(APIConnectionError):
        await asyncio.wait_for(call(client), 5)
    assert fs.count("POST", path) == 1


async def test_creating_post_retried_when_connection_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Refused means the request never left: the run cannot have started, so retry."""
    port = free_port()
    late = FaultServer(name="late")
    late.port = port
    late.route("POST", "/threads/T/runs/wait", json_response(200, {"done": True}))
    sleeps: list[float] = []

    async def start_server_then_sleep(delay: float) -> None:
        sleeps.append(delay)
        if len(sleeps) == 1:
            await asyncio.to_thread(late.start)

    monkeypatch.setattr(_retry, "sleep", start_server_then_sleep)
    client = get_client(
        url=f"http://127.0.0.1:{port}",
        api_key=API_KEY,
        timeout=TEST_TIMEOUT,
        headers={"connection": "close"},  # nothing left open when `late` stops
    )
    try:
        result = await asyncio.wait_for(client.runs.wait("T", "agent", input={}), 5)
        assert result == {"done": True}
        assert len(sleeps) == 1  # one refused attempt, one retry
        assert late.count("POST", "/threads/T/runs/wait") == 1
        assert late.last().json() == {"assistant_id": "agent", "input": {}}
    finally:
        await client.aclose()
        late.stop()


async def test_refused_connection_exhausts_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []

    async def no_sleep(delay: float) -> None:
        sleeps.append(delay)

    monkeypatch.setattr(_retry, "sleep", no_sleep)
    client = get_client(url=f"http://127.0.0.1:{free_port()}", api_key=API_KEY, max_retries=3)
    try:
        with pytest.raises(APIConnectionError) as info:
            await asyncio.wait_for(client.runs.create("T", "agent"), 5)
        assert len(sleeps) == 3  # 4 attempts
        assert API_KEY not in str(info.value) and API_KEY not in repr(info.value)
        # A raw httpx exception never escapes; the cause is kept for debugging.
        assert isinstance(info.value.__cause__, httpx.ConnectError)
    finally:
        await client.aclose()


# --------------------------------------------------------------------------- logging


async def test_each_retry_logged_at_debug_without_the_key(
    fs: FaultServer, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    fs.route(
        "GET",
        RUN_PATH,
        json_response(503),
        close_connection(reset=True),
        json_response(200, RUN),
    )
    with caplog.at_level(logging.DEBUG, logger="langgraph_client"):
        await client.runs.get("T", "R")
    retries = [
        r for r in caplog.records if r.name == "langgraph_client" and "retrying" in r.getMessage()
    ]
    assert len(retries) == 2
    assert all(r.levelno == logging.DEBUG for r in retries)
    assert all(f"GET {RUN_PATH}" in r.getMessage() for r in retries)
    assert "503" in retries[0].getMessage()
    assert API_KEY not in caplog.text
    for record in caplog.records:
        assert API_KEY not in record.getMessage()


# --------------------------------------------------------------------------- the real delays


class SleepRecorder:
    """Stands in for `_retry.sleep`: records the requested delays, sleeps 0."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> SleepRecorder:
    recorder = SleepRecorder()
    monkeypatch.setattr(_retry, "sleep", recorder.sleep)
    monkeypatch.setattr(_retry, "sync_sleep", recorder.delays.append)  # the sync client's
    # Undo the suite's fast backoff: these tests check the documented numbers.
    monkeypatch.setattr(_retry, "INITIAL_DELAY", 0.5)
    monkeypatch.setattr(_retry, "MAX_DELAY", 8.0)
    return recorder


async def test_real_backoff_is_exponential_with_jitter_and_capped(
    fs: FaultServer, make_client: ClientFactory, sleeps: SleepRecorder
) -> None:
    client = make_client(max_retries=6)
    fs.always("GET", "/ok", json_response(503))
    with pytest.raises(InternalServerError):
        await client.health()
    assert fs.count("GET", "/ok") == 7
    nominal = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]  # 0.5 s * 2**attempt, capped at 8 s
    assert len(sleeps.delays) == len(nominal)
    for got, want in zip(sleeps.delays, nominal, strict=True):
        assert want * 0.75 <= got <= want  # up to 25 % jitter taken off


async def test_real_retry_after_seconds_date_and_ms(
    fs: FaultServer, make_client: ClientFactory, sleeps: SleepRecorder
) -> None:
    client = make_client(max_retries=6)
    in_30s = datetime.now(timezone.utc) + timedelta(seconds=30)
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    fs.route(
        "GET",
        "/ok",
        json_response(503, retry_after=3),
        json_response(429, retry_after=in_30s),
        json_response(503, retry_after=60),
        json_response(503, headers={"retry-after-ms": "250"}),
        json_response(503, retry_after=past),
        json_response(200, {"ok": True}),
    )
    assert await client.health() == {"ok": True}
    assert fs.count("GET", "/ok") == 6
    d = sleeps.delays
    assert len(d) == 5
    assert d[0] == 3.0
    assert 27.0 <= d[1] <= 30.0  # an HTTP date (whole seconds) 30 s ahead
    assert d[2] == 60.0  # the cap itself is still waited
    assert d[3] == pytest.approx(0.25)
    assert d[4] == 0.0  # a date in the past: go now


@pytest.mark.parametrize(
    ("status", "value", "seconds"),
    [
        (503, 120, 120.0),
        (429, "3600", 3600.0),
        (503, "hour", None),
        (429, {"retry-after-ms": "61000"}, 61.0),
    ],
)
async def test_retry_after_longer_than_the_cap_raises_at_once(
    fs: FaultServer,
    make_client: ClientFactory,
    sleeps: SleepRecorder,
    status: int,
    value: Any,
    seconds: float | None,
) -> None:
    # Issue 8, bug 5: a wait longer than 60 s used to be cut to 60 s and retried early.
    client = make_client(max_retries=3)
    if seconds is None:  # an HTTP date an hour ahead
        value = datetime.now(timezone.utc) + timedelta(hours=1)
    headers = value if isinstance(value, dict) else None
    retry_after = None if isinstance(value, dict) else value
    fs.route(
        "GET",
        "/ok",
        json_response(status, {"detail": "later"}, retry_after=retry_after, headers=headers),
        json_response(200, {"ok": True}),
    )
    with pytest.raises(APIStatusError) as info:
        await client.health()
    assert fs.count("GET", "/ok") == 1
    assert sleeps.delays == []
    assert info.value.status_code == status
    assert info.value.retry_after is not None
    if seconds is None:
        assert 3590 <= info.value.retry_after <= 3600
    else:
        assert info.value.retry_after == pytest.approx(seconds)
    assert "retry after" in str(info.value)


async def test_unreadable_retry_after_falls_back_to_backoff(
    fs: FaultServer, make_client: ClientFactory, sleeps: SleepRecorder
) -> None:
    client = make_client(max_retries=1)
    fs.route("GET", "/ok", json_response(503, retry_after="soon"), json_response(200, {}))
    await client.health()
    assert len(sleeps.delays) == 1
    assert 0.375 <= sleeps.delays[0] <= 0.5
