"""Shared helpers for unit tests: clients over `httpx.MockTransport`, SSE bodies, byte streams.

async def test_x(mock: MockFactory) -> None:
    client, requests = mock(lambda req: httpx.Response(200, json={}))
    await client.health()
    assert requests[0].url.path == "/ok"
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from langgraph_client import Client, _retry, get_client, get_sync_client
from tests.clients import AsyncView

API_KEY = "sk-SECRET-123"
"""A distinctive key: tests search for it in messages, reprs and logs."""
BASE_URL = "http://testserver"
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8"}

Handler = Callable[[httpx.Request], "httpx.Response | Awaitable[httpx.Response]"]
MockFactory = Callable[..., "tuple[Client, list[httpx.Request]]"]
"""`mock(handler, **get_client_kwargs)`: a client of `handler` and the requests it saw. For
tests marked `both_clients`, the sync client (behind `AsyncView`) in the "sync" run."""

_CAPTURE_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "data" / "stream-capture.sse",
    Path("/work/shared/agent-server/stream-capture.sse"),
)


def capture_bytes() -> bytes:
    """The real 263 KB SSE capture from a production deployment (79 events)."""
    for candidate in _CAPTURE_CANDIDATES:
        if candidate.exists():
            return candidate.read_bytes()
    pytest.skip("stream-capture.sse not found")


class RecordingStream(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A response body yielded chunk by chunk that records whether it was closed and how far
    it was read. `hold=True` keeps it open after the last chunk (a stream still running) until
    it is closed, as a real connection would end when closed under a reader. Both clients can
    read it."""

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        hold: bool = False,
        on_chunk: Callable[[int], None] | None = None,
        error: Exception | None = None,
    ) -> None:
        self.chunks = list(chunks)
        self.hold = hold
        self.on_chunk = on_chunk
        self.error = error
        self.sent = 0
        self.closed = False
        self._closing: asyncio.Event | None = None
        self._sync_closing = threading.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i, chunk in enumerate(self.chunks):
            if self.on_chunk is not None:
                self.on_chunk(i)
            self.sent += 1
            yield chunk
            await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        if self.hold and not self.closed:
            self._closing = asyncio.Event()
            await self._closing.wait()

    async def aclose(self) -> None:
        self.closed = True
        if self._closing is not None:
            self._closing.set()

    def __iter__(self) -> Iterator[bytes]:
        for i, chunk in enumerate(self.chunks):
            if self.on_chunk is not None:
                self.on_chunk(i)
            self.sent += 1
            yield chunk
        if self.error is not None:
            raise self.error
        if self.hold and not self.closed:
            self._sync_closing.wait(10)

    def close(self) -> None:
        self.closed = True
        self._sync_closing.set()


def sse(
    event: str | None = None,
    data: Any = None,
    *,
    id: str | None = None,
    eol: str = "\r\n",
    raw: str | None = None,
) -> bytes:
    """One SSE block as the server writes it: `event:`, one `data:` line of JSON, `id:`."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if raw is not None:
        lines.append(f"data: {raw}")
    elif data is not None:
        lines.append(f"data: {json.dumps(data, separators=(',', ':'))}")
    if id is not None:
        lines.append(f"id: {id}")
    return (eol.join(lines) + eol + eol).encode()


def sse_response(
    *blocks: bytes,
    headers: dict[str, str] | None = None,
    status: int = 200,
    stream: httpx.AsyncByteStream | None = None,
) -> httpx.Response:
    """A streaming response made of SSE blocks (each block one chunk)."""
    return httpx.Response(
        status,
        headers={**SSE_HEADERS, **(headers or {})},
        stream=stream if stream is not None else RecordingStream(blocks),
    )


def make_client(handler: Handler, **kwargs: Any) -> tuple[Client, list[httpx.Request]]:
    """A client whose requests go to `handler`; returns it and the list of requests seen.

    Defaults: `api_key=None` (no environment read), `max_retries=0`; override with kwargs."""
    requests: list[httpx.Request] = []

    async def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        result = handler(request)
        if not isinstance(result, httpx.Response):
            result = await result
        return result

    kwargs.setdefault("url", BASE_URL)
    kwargs.setdefault("api_key", None)
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("http_client", httpx.AsyncClient(transport=httpx.MockTransport(record)))
    return get_client(**kwargs), requests


def make_sync_client(handler: Handler, **kwargs: Any) -> tuple[Any, list[httpx.Request]]:
    """`make_client` for the sync client, seen through `AsyncView`; `handler` must be sync."""
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        result = handler(request)
        assert isinstance(result, httpx.Response), "the sync client needs a sync handler"
        return result

    kwargs.setdefault("url", BASE_URL)
    kwargs.setdefault("api_key", None)
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("http_client", httpx.Client(transport=httpx.MockTransport(record)))
    return AsyncView(get_sync_client(**kwargs)), requests


@pytest.fixture
async def mock(flavour: str) -> AsyncIterator[MockFactory]:
    """`mock(handler, **get_client_kwargs)` -> (client, requests); pools closed at teardown."""
    made: list[Any] = []

    def factory(handler: Handler, **kwargs: Any) -> tuple[Client, list[httpx.Request]]:
        build = make_client if flavour == "async" else make_sync_client
        client, requests = build(handler, **kwargs)
        made.append(client)
        return client, requests

    yield factory
    for client in made:
        if isinstance(client, AsyncView):
            client.sync.close()
            client.sync._http._client.close()
        else:
            await client.aclose()
            await client._http._client.aclose()


@pytest.fixture
def no_retry_delay(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Retries and reconnects without waiting (backoff is 0)."""
    monkeypatch.setattr(_retry, "INITIAL_DELAY", 0.0)
    instant = _retry.ReconnectPolicy(max_wait=0.3, initial_delay=0.001, max_delay=0.001)
    monkeypatch.setattr(_retry, "DEFAULT_RECONNECT", instant)
    yield


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No API key in the environment."""
    for name in ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content)


# Request/response helpers shared by the resource tests (threads, assistants, crons, store).

HOSTILE_IDS = [
    ("../x", "..%2Fx"),
    ("a/b", "a%2Fb"),
    ("%2e%2e", "%252e%252e"),
    (".", "%2E"),
    ("..", "%2E%2E"),
]
"""Ids that try to leave their path segment, and the raw segment each must become."""


def answer(reply: Any) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering `reply` as JSON, or with a 204 when it is `None`."""
    return lambda request: httpx.Response(204) if reply is None else httpx.Response(200, json=reply)


def flaky(then: Any) -> Callable[[httpx.Request], httpx.Response]:
    """503 on the first request, then `then`."""
    seen: list[int] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) == 1:
            return httpx.Response(503, json={"detail": "busy"})
        return httpx.Response(200, json=then)

    return reply


def raw_path(request: httpx.Request) -> str:
    return request.url.raw_path.decode("ascii").partition("?")[0]


def query(request: httpx.Request) -> dict[str, Any]:
    params = request.url.params
    return {k: (v if len(v) > 1 else v[0]) for k in params for v in [params.get_list(k)]}


def body(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def sent(request: httpx.Request) -> tuple[str, str, dict[str, Any], Any]:
    """What a request asked for: method, raw path, query and JSON body."""
    return request.method, raw_path(request), query(request), body(request)


@pytest.fixture(autouse=True)
def every_endpoint_in_the_retry_table(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[list[tuple[str, str]]]:
    """Fails a test whose client sent a request `_retry.ENDPOINTS` has no row for: a resource
    method calling an endpoint the table does not know would silently be sent only once.
    (A test that means to look up unknown endpoints empties the list it yields.)"""
    unknown: list[tuple[str, str]] = []
    original = _retry.rule_for

    def rule_for(method: str, path: str) -> _retry.Rule | None:
        rule = original(method, path)
        if rule is None:
            unknown.append((method, path))
        return rule

    monkeypatch.setattr(_retry, "rule_for", rule_for)
    yield unknown
    assert unknown == [], f"requests to endpoints missing from _retry.ENDPOINTS: {unknown}"
