"""Retry policy: backoff, Retry-After, what may be retried; then the policy through a client."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    ConflictError,
    InternalServerError,
    RateLimitError,
    _retry,
    get_client,
)

from .conftest import MockFactory, sse, sse_response

pytestmark = pytest.mark.both_clients

# Policy functions


@pytest.mark.parametrize("attempt", range(8))
def test_backoff_is_exponential_with_jitter_taken_off(
    attempt: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = min(0.5 * 2**attempt, 8.0)
    for r in (0.0, 0.5, 0.999999):
        monkeypatch.setattr(_retry.random, "random", lambda r=r: r)
        assert 0.75 * d <= _retry.backoff(attempt) <= d
    monkeypatch.undo()
    samples = [_retry.backoff(attempt) for _ in range(200)]
    assert all(0.75 * d <= s <= d for s in samples)
    assert len(set(samples)) > 1  # there is jitter


def test_backoff_extremes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry.random, "random", lambda: 0.0)
    assert _retry.backoff(0) == 0.5
    assert _retry.backoff(4) == 8.0
    assert _retry.backoff(50) == 8.0


def test_backoff_does_not_overflow_for_many_attempts() -> None:
    assert 6.0 <= _retry.backoff(2000) <= 8.0


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"retry_after": "3"}, 3.0),
        ({"retry_after": "2.5"}, 2.5),
        ({"retry_after": " 4 "}, 4.0),
        ({"retry_after": "0"}, 0.0),
        ({"retry_after": "-5"}, 0.0),
        ({"retry_after": "86400"}, 86400.0),  # not capped here: the caller decides
        ({"retry_after": "1e400"}, float("inf")),
        ({"retry_after": "soon"}, None),
        ({"retry_after": ""}, None),
        ({"retry_after": "nan"}, None),
        ({"retry_after_ms": "1500"}, 1.5),
        ({"retry_after_ms": "-1"}, 0.0),
        ({"retry_after_ms": "999999999"}, 999999.999),
        ({"retry_after_ms": "250", "retry_after": "9"}, 0.25),  # ms is the more precise
        ({"retry_after_ms": "junk", "retry_after": "9"}, 9.0),
        ({}, None),
    ],
)
def test_retry_after(given: dict[str, str], expected: float | None) -> None:
    assert _retry.retry_after(headers(**given)) == expected


def test_retry_after_http_date() -> None:
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    delay = _retry.retry_after(headers(retry_after=future))
    assert delay is not None and 28.0 <= delay <= 30.0
    past = email.utils.formatdate(time.time() - 300, usegmt=True)
    assert _retry.retry_after(headers(retry_after=past)) == 0.0
    far = email.utils.formatdate(time.time() + 3600, usegmt=True)
    far_delay = _retry.retry_after(headers(retry_after=far))
    assert far_delay is not None and 3598.0 <= far_delay <= 3600.0
    assert _retry.retry_after(headers(retry_after="Mon, 99 Foo 2025 99:99:99 GMT")) is None


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_transient_statuses_retry_only_in_safe_mode(status: int) -> None:
    assert _retry.can_retry_status(status, "safe")
    assert not _retry.can_retry_status(status, "connect")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500, 501])
def test_other_statuses_never_retry(status: int) -> None:
    # 409 above all: on this server it means "thread busy", and a retry could double a run.
    assert not _retry.can_retry_status(status, "safe")
    assert not _retry.can_retry_status(status, "connect")


REQ = httpx.Request("POST", "http://x/runs/wait")


@pytest.mark.parametrize(
    ("exc", "in_connect_mode"),
    [
        (httpx.ConnectError("x", request=REQ), True),
        (httpx.ConnectTimeout("x", request=REQ), True),
        (httpx.PoolTimeout("x", request=REQ), True),
        (httpx.ReadError("x", request=REQ), False),
        (httpx.ReadTimeout("x", request=REQ), False),
        (httpx.WriteError("x", request=REQ), False),
        (httpx.WriteTimeout("x", request=REQ), False),
        (httpx.RemoteProtocolError("x", request=REQ), False),
    ],
)
def test_transport_errors(exc: httpx.TransportError, in_connect_mode: bool) -> None:
    assert _retry.can_retry_error(exc, "safe")
    assert _retry.can_retry_error(exc, "connect") is in_connect_mode


# Through a client


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the delays the request path sleeps for, without sleeping."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(_retry, "sleep", fake_sleep)
    monkeypatch.setattr(_retry, "sync_sleep", recorded.append)  # the sync client's
    return recorded


def sequence(*responses: Any) -> Any:
    """A handler answering with each item in turn (an exception class is raised)."""
    items = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, type) and issubclass(item, Exception):
            raise item("injected", request=request)
        if isinstance(item, int):
            return httpx.Response(item, json={"detail": f"status {item}"})
        if not isinstance(item, httpx.Response) or not hasattr(item, "_content"):
            return item  # a streamed body, made for this test
        # A fresh copy: a response object is bound to the client that received it.
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    return handler


OK = httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_get_retried_on_transient_status_then_succeeds(
    mock: MockFactory, sleeps: list[float], status: int
) -> None:
    client, requests = mock(sequence(status, OK), max_retries=2)
    assert await client.health() == {"ok": True}
    assert len(requests) == 2
    assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5


async def test_get_gives_up_after_max_retries(mock: MockFactory, sleeps: list[float]) -> None:
    client, requests = mock(sequence(503), max_retries=2)
    with pytest.raises(InternalServerError):
        await client.runs.get("t", "r")
    assert len(requests) == 3
    assert len(sleeps) == 2
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0  # growing backoff


async def test_get_retried_on_read_error(mock: MockFactory, sleeps: list[float]) -> None:
    client, requests = mock(sequence(httpx.ReadError, httpx.RemoteProtocolError, OK), max_retries=2)
    assert await client.health() == {"ok": True}
    assert len(requests) == 3


async def test_default_max_retries_is_two(sleeps: list[float]) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(503)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = get_client(url="http://testserver", api_key=None, http_client=http)
        with pytest.raises(InternalServerError):
            await client.health()
    assert len(requests) == 3


@pytest.mark.parametrize("status", [503, 429, 502])
async def test_run_creating_post_not_retried_on_status(
    mock: MockFactory, sleeps: list[float], status: int
) -> None:
    client, requests = mock(sequence(status, OK), max_retries=2)
    with pytest.raises(InternalServerError if status != 429 else RateLimitError):
        await client.runs.wait(None, "agent", input={})
    assert len(requests) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "exc", [httpx.ReadError, httpx.ReadTimeout, httpx.WriteError, httpx.RemoteProtocolError]
)
@pytest.mark.parametrize("method", ["wait", "create", "stream"])
async def test_run_creating_post_not_retried_once_the_request_may_have_arrived(
    mock: MockFactory, sleeps: list[float], exc: type[Exception], method: str
) -> None:
    client, requests = mock(sequence(exc, OK), max_retries=2)
    with pytest.raises(APIConnectionError):
        if method == "stream":
            async with client.runs.stream(None, "agent") as stream:
                [p async for p in stream]
        else:
            await getattr(client.runs, method)(None, "agent")
    assert len(requests) == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
@pytest.mark.parametrize("method", ["wait", "create", "stream"])
async def test_run_creating_post_retried_when_it_never_left(
    mock: MockFactory, sleeps: list[float], exc: type[Exception], method: str
) -> None:
    ok = sse_response(sse("values", 1)) if method == "stream" else OK
    client, requests = mock(sequence(exc, exc, ok), max_retries=2)
    if method == "stream":
        async with client.runs.stream(None, "agent") as stream:
            assert [p.data async for p in stream] == [1]
    else:
        await getattr(client.runs, method)(None, "agent", input={"x": 1})
    assert len(requests) == 3
    assert requests[2].content == requests[0].content  # the same body, sent once in effect


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_409_is_never_retried(mock: MockFactory, sleeps: list[float], method: str) -> None:
    client, requests = mock(sequence(409, OK), max_retries=2)
    with pytest.raises(ConflictError):
        if method == "GET":
            await client.runs.get("t", "r")
        else:
            await client.runs.wait("t", "agent", multitask_strategy="reject")
    assert len(requests) == 1


async def test_cancel_is_not_sent_again_once_it_may_have_been_processed(
    mock: MockFactory, sleeps: list[float]
) -> None:
    # A second cancel of a run the first one stopped answers 404 "No matching runs".
    client, requests = mock(sequence(503, OK), max_retries=2)
    with pytest.raises(InternalServerError):
        await client.runs.cancel("t", "r")
    assert len(requests) == 1
    client, requests = mock(sequence(httpx.ConnectError, OK), max_retries=2)
    await client.runs.cancel("t", "r")
    assert len(requests) == 2  # it never left: sent again


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "120"}, 0.12),
        ({"retry-after": "60"}, 60.0),
    ],
)
async def test_retry_after_is_honoured(
    mock: MockFactory, sleeps: list[float], header: dict[str, str], expected: float
) -> None:
    busy = httpx.Response(429, json={"detail": "slow down"}, headers=header)
    client, requests = mock(sequence(busy, OK), max_retries=2)
    assert await client.health() == {"ok": True}
    assert sleeps == [expected]
    assert len(requests) == 2


async def test_max_retries_zero_disables_retries(mock: MockFactory, sleeps: list[float]) -> None:
    client, requests = mock(sequence(503, OK), max_retries=0)
    with pytest.raises(InternalServerError):
        await client.health()
    client2, requests2 = mock(sequence(httpx.ConnectError, OK), max_retries=0)
    with pytest.raises(APIConnectionError):
        await client2.runs.wait(None, "agent")
    assert len(requests) == len(requests2) == 1
    assert sleeps == []


async def test_with_options_overrides_max_retries(mock: MockFactory, sleeps: list[float]) -> None:
    client, requests = mock(sequence(503, OK), max_retries=2)
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=0).health()
    assert len(requests) == 1
    assert await client.health() == {"ok": True}  # the original keeps its policy


async def test_retry_sleep_uses_backoff_when_no_retry_after(
    mock: MockFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the delay patched to 0 the whole retry path runs for real (asyncio.sleep(0)).
    monkeypatch.setattr(_retry, "INITIAL_DELAY", 0.0)
    client, requests = mock(sequence(502, 503, OK), max_retries=2)
    start = time.perf_counter()
    assert await client.health() == {"ok": True}
    assert time.perf_counter() - start < 0.5
    assert len(requests) == 3
