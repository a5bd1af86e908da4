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


class _Body:
    """One response body: a feed played in real time. Yields bytes to send, or a float: seconds
    to sleep before asking again (the async and sync shells below do the sleeping)."""

    def __init__(self, fake: FakeAgentServer, feed: Feed, request: httpx.Request) -> None:
        self._clock = fake.clock
        self._feed = feed
        self._request = request
        self._read_timeout = _read_timeout(request)
        self.ended = False

    def play(self) -> Iterator[bytes | float]:
        last = self._clock()  # when the client last got a byte
        while not self.ended:
            now = self._clock()
            step = self._feed.step(now)
            if step.data:
                last = now
                yield step.data
            elif step.done:
                self.ended = True
            elif step.drop:
                self.ended = True
                self._feed.disconnected(now)
                raise _dropped(self._request)
            else:
                assert step.wait_until is not None
                until = step.wait_until
                if self._read_timeout is not None and until > last + self._read_timeout:
                    if now >= last + self._read_timeout:
                        raise _timed_out(self._request)
                    until = last + self._read_timeout
                yield min(max(until - now, 0.0), _SLICE)

    def close(self) -> None:
        if not self.ended:  # the client left before the end: the server sees a disconnect
            self.ended = True
            self._feed.disconnected(self._clock())


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, body: _Body) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for item in self._body.play():
            if isinstance(item, bytes):
                yield item
            else:
                await asyncio.sleep(item)

    async def aclose(self) -> None:
        self._body.close()


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, body: _Body) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        for item in self._body.play():
            if isinstance(item, bytes):
                yield item
            else:
                time.sleep(item)

    def close(self) -> None:
        self._body.close()


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
        stream = _AsyncBody(_Body(self.fake, reply.feed, request))
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
        stream = _SyncBody(_Body(self.fake, reply.feed, request))
        return httpx.Response(reply.status, headers=_chunked(reply), stream=stream)
