"""httpx transports (async and sync) that answer from a `FakeAgentServer`, chunk by chunk.

Bodies are delivered as the fake's feeds produce them, one event per chunk, with real pauses in
between (unlike `httpx.ASGITransport`, which buffers a whole body). A pause longer than the
request's read timeout raises `httpx.ReadTimeout`, as a silent socket would; a drop fault raises
`httpx.RemoteProtocolError`, as a connection closed mid-body does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

from ._timeline import Feed

if TYPE_CHECKING:
    from ._fake import FakeAgentServer
    from ._wire import Reply

__all__ = ["AsyncFakeTransport", "FakeTransport"]

_SLICE = 0.02
"""Longest single sleep: a cancel or a new event is noticed within this."""


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if value is not None else None


def _answer(fake: FakeAgentServer, request: httpx.Request, body: bytes) -> Reply:
    raw_path = request.url.raw_path.decode("ascii").partition("?")[0]
    query = request.url.query.decode("ascii")
    return fake.handle(request.method, raw_path, query, dict(request.headers), body)


def _dropped(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        "peer closed connection without sending complete message body (FakeAgentServer.drop)",
        request=request,
    )


def _timed_out(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(
        "timed out (FakeAgentServer: no bytes within the read timeout)", request=request
    )


def _pause(now: float, until: float, last: float, read_timeout: float | None) -> float | None:
    """Seconds to sleep before asking the feed again; `None`: the read timeout has passed."""
    if read_timeout is not None and until > last + read_timeout:
        if now >= last + read_timeout:
            return None
        until = last + read_timeout
    return min(max(until - now, 0.0), _SLICE)


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, fake: FakeAgentServer, feed: Feed, request: httpx.Request) -> None:
        self._fake = fake
        self._feed = feed
        self._request = request
        self._ended = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        clock, read_timeout = self._fake.clock, _read_timeout(self._request)
        last = clock()
        while not self._ended:
            now = clock()
            step = self._feed.step(now)
            if step.data:
                last = now
                yield step.data
                continue
            if step.done or step.drop:
                self._ended = True
                if step.drop:
                    self._feed.disconnected(now)
                    raise _dropped(self._request)
                return
            assert step.wait_until is not None
            pause = _pause(now, step.wait_until, last, read_timeout)
            if pause is None:
                raise _timed_out(self._request)
            await asyncio.sleep(pause)

    async def aclose(self) -> None:
        if not self._ended:
            self._ended = True
            self._feed.disconnected(self._fake.clock())


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, fake: FakeAgentServer, feed: Feed, request: httpx.Request) -> None:
        self._fake = fake
        self._feed = feed
        self._request = request
        self._ended = False

    def __iter__(self) -> Iterator[bytes]:
        clock, read_timeout = self._fake.clock, _read_timeout(self._request)
        last = clock()
        while not self._ended:
            now = clock()
            step = self._feed.step(now)
            if step.data:
                last = now
                yield step.data
                continue
            if step.done or step.drop:
                self._ended = True
                if step.drop:
                    self._feed.disconnected(now)
                    raise _dropped(self._request)
                return
            assert step.wait_until is not None
            pause = _pause(now, step.wait_until, last, read_timeout)
            if pause is None:
                raise _timed_out(self._request)
            time.sleep(pause)

    def close(self) -> None:
        if not self._ended:
            self._ended = True
            self._feed.disconnected(self._fake.clock())


def _head_delay(reply: Reply, request: httpx.Request) -> tuple[float, bool]:
    """How long to stay silent before the status line, and whether that times out."""
    read_timeout = _read_timeout(request)
    if read_timeout is not None and reply.delay > read_timeout:
        return read_timeout, True
    return reply.delay, False


def _whole(reply: Reply) -> httpx.Response:
    """A response with a `Content-Length` body, still unread (as from a socket)."""
    headers = [*reply.headers, ("Content-Length", str(len(reply.body)))]
    return httpx.Response(reply.status, headers=headers, stream=httpx.ByteStream(reply.body))


def _chunked(reply: Reply) -> list[tuple[str, str]]:
    return [*reply.headers, ("Transfer-Encoding", "chunked")]


class AsyncFakeTransport(httpx.AsyncBaseTransport):
    """Answers an `httpx.AsyncClient`'s requests from a `FakeAgentServer`."""

    def __init__(self, fake: FakeAgentServer) -> None:
        self.fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        reply = _answer(self.fake, request, await request.aread())
        delay, times_out = _head_delay(reply, request)
        if delay > 0:
            await asyncio.sleep(delay)
        if times_out:
            raise _timed_out(request)
        if reply.feed is None:
            return _whole(reply)
        stream = _AsyncBody(self.fake, reply.feed, request)
        return httpx.Response(reply.status, headers=_chunked(reply), stream=stream)


class FakeTransport(httpx.BaseTransport):
    """Answers an `httpx.Client`'s requests from a `FakeAgentServer`."""

    def __init__(self, fake: FakeAgentServer) -> None:
        self.fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = _answer(self.fake, request, request.read())
        delay, times_out = _head_delay(reply, request)
        if delay > 0:
            time.sleep(delay)
        if times_out:
            raise _timed_out(request)
        if reply.feed is None:
            return _whole(reply)
        stream = _SyncBody(self.fake, reply.feed, request)
        return httpx.Response(reply.status, headers=_chunked(reply), stream=stream)
