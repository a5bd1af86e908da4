"""Fixtures for the reliability suite: fault servers, fast backoff, clients that get closed.

Every server listens on 127.0.0.1. The fault servers are session-scoped (one thread each) and
reset before every test; a test fails if the server itself hit an unexpected error.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from langgraph_client import Client, RunStream, StreamPart, _retry, get_client, get_sync_client
from tests.clients import AsyncView
from tests.faultserver import (
    Dynamic,
    FaultServer,
    RequestRecord,
    SSEEvent,
    Step,
    event,
    replay,
    sse,
)

API_KEY = "sk-SECRET-XYZ"
"""A distinctive key: tests look for it in messages, reprs and logs."""

# Short enough that a wrong test fails fast, long enough for a loaded CI machine.
TEST_TIMEOUT = httpx.Timeout(5.0)

ClientFactory = Callable[..., Client]

EVENTS = [
    event("metadata", {"run_id": "R", "attempt": 1}),
    *(event("values", {"n": n}) for n in range(1, 8)),
]
"""A run's stream: metadata then seven values events (resumable_run numbers their ids)."""


@pytest.fixture(scope="module", autouse=True)
def _one_ssl_context() -> Iterator[None]:
    """Speed only: every `httpx.AsyncClient` builds a default SSL context (~60 ms of loading
    the CA bundle) although these tests speak plain HTTP; build that one context once."""
    from httpx._transports import default as transports

    original = getattr(transports, "create_ssl_context", None)
    if original is None:  # another httpx layout: just be slower
        yield
        return
    cached: dict[tuple[Any, ...], Any] = {}

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is not True or cert is not None:
            return original(verify=verify, cert=cert, trust_env=trust_env)
        key = (trust_env,)
        if key not in cached:
            cached[key] = original(verify=verify, cert=cert, trust_env=trust_env)
        return cached[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(transports, "create_ssl_context", create_ssl_context)
        yield


@pytest.fixture(scope="session")
def _fault_session() -> Iterator[FaultServer]:
    with FaultServer(stall_limit=10.0) as server:
        yield server


@pytest.fixture(scope="session")
def _other_session() -> Iterator[FaultServer]:
    with FaultServer(name="other-origin", stall_limit=10.0) as server:
        yield server


@pytest.fixture
def fs(_fault_session: FaultServer) -> Iterator[FaultServer]:
    """The fault server, with no routes and an empty request log."""
    _fault_session.reset()
    yield _fault_session
    errors = _fault_session.errors
    _fault_session.reset()
    assert errors == []


@pytest.fixture
def other(_other_session: FaultServer) -> Iterator[FaultServer]:
    """A second origin (another port): what must never see a request or the key."""
    _other_session.reset()
    yield _other_session
    errors = _other_session.errors
    _other_session.reset()
    assert errors == []


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries and reconnects wait ~10 ms instead of 0.5 s to 8 s, and a client's default
    reconnect budget is 2 s instead of 90 s."""
    monkeypatch.setattr(_retry, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(_retry, "MAX_DELAY", 0.02)
    fast = _retry.ReconnectPolicy(max_wait=2.0, initial_delay=0.01, max_delay=0.02)
    monkeypatch.setattr(_retry, "DEFAULT_RECONNECT", fast)


@pytest.fixture
async def make_client(fs: FaultServer, flavour: str) -> AsyncIterator[ClientFactory]:
    """`make_client(**get_client_kwargs)`: a client of `fs` with the test key, closed at the end;
    for `both_clients` tests, the sync client (behind `AsyncView`) in the "sync" run.

    Defaults: 5 s for every timeout phase (instead of 300 s reads), the library's other defaults.
    """
    made: list[Client] = []

    def factory(**kwargs: Any) -> Client:
        kwargs.setdefault("url", fs.url)
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("timeout", TEST_TIMEOUT)
        client: Any = (
            get_client(**kwargs) if flavour == "async" else AsyncView(get_sync_client(**kwargs))
        )
        made.append(client)
        return client  # type: ignore[no-any-return]

    yield factory
    for client in made:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), 5)


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    """A client of `fs` with default retries (2) and the test key."""
    return make_client()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def collect(stream: RunStream, *, limit: int = 1000) -> list[StreamPart]:
    """Every part of `stream` (bounded), closing it afterwards."""
    parts: list[StreamPart] = []
    async with stream:
        async for part in stream:
            parts.append(part)
            assert len(parts) <= limit, "stream did not end"
    return parts


def replay_after(events: list[SSEEvent], **sse_kwargs: Any) -> Step:
    """A join of a finished run, answered by the suite's one replay model
    (`tests.faultserver.replay`): the events after the request's `Last-Event-ID`, by string
    order; nothing without one."""

    def serve(record: RequestRecord) -> Step:
        return sse(replay(events, record.header("last-event-id")), **sse_kwargs)

    return Dynamic(serve)


def resume_point(
    delivered: list[str | None], *, start: str | None = None, replays_all: bool = True
) -> str | None:
    """The `Last-Event-ID` a resume must carry after `delivered` ids (docs/reliability.md):
    ids may be shared by several events, and a replay starts strictly after the id it is
    given, so the client resumes from the distinct id *before* the last one it delivered
    (`start`, the id a join began after, counts as delivered), `0` ("from the start") if
    there is none and the endpoint accepts it, else the last id itself."""
    seen = [i for i in ([start] if start else []) + delivered if i is not None]
    if not delivered:
        return start or ("0" if replays_all else None)
    last = seen[-1]
    earlier = [i for i in seen if i != last]
    if earlier:
        return earlier[-1]
    return "0" if replays_all else last
