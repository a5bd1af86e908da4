"""`DefaultAioHttpClient`: an `httpx.AsyncClient` whose connections run on aiohttp.

Opt-in (`pip install "langgraph-client[aiohttp]"`): aiohttp's C-accelerated HTTP parser and
leaner connection pool cost a fraction of httpcore + h11 per request, which shows when hundreds
of runs share one process. httpx still builds requests, merges headers and decodes bodies;
only the wire below is aiohttp's. `import langgraph_client` does not import this module.

What may be retried depends on what a failure says about the request (docs/reliability.md):
aiohttp's errors are mapped so that only failures before the request could leave (no
connection yet, no pool slot) become httpx's connect-class errors; a connection that drops or
times out once the request may have been written is a read/protocol error, never "not sent".
aiohttp's own retry of idempotent requests on a reused connection is turned off, so retries
are decided in one place, `_http.send`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import httpx
from yarl import URL

from ._http import DEFAULT_LIMITS, DEFAULT_TIMEOUT
from ._tls import shared_context

__all__ = ["AioHttpTransport", "DefaultAioHttpClient"]

_HTTP_11 = {"http_version": b"HTTP/1.1"}
_BROKEN_EXCHANGE = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientResponseError,
)


class DefaultAioHttpClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` on aiohttp, for `get_client(http_client=...)`.

        async with DefaultAioHttpClient() as http:
            client = get_client(url="http://127.0.0.1:2024", http_client=http)

    It takes httpx's arguments; `limits` and `verify` configure the aiohttp pool (aiohttp has
    no separate cap on idle connections: `max_keepalive_connections` is not used). Like any
    client passed in, it is yours to close.
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        verify: ssl.SSLContext | bool = True,
        **kwargs: Any,
    ) -> None:
        transport = AioHttpTransport(limits=limits, verify=verify)
        # `verify` also reaches the transports httpx mounts for proxies found in the
        # environment: the shared context keeps those from loading the CA bundle again.
        super().__init__(
            transport=transport,
            timeout=timeout,
            verify=shared_context() if verify is True else verify,
            **kwargs,
        )


class AioHttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends each request over an `aiohttp.ClientSession`.

    The session is created on the first request, in the running event loop (aiohttp binds
    it to that loop), and closed by `aclose()`.
    """

    def __init__(
        self, *, limits: httpx.Limits = DEFAULT_LIMITS, verify: ssl.SSLContext | bool = True
    ) -> None:
        self._limits = limits
        self._ssl: ssl.SSLContext | bool = shared_context() if verify is True else verify
        self._session: aiohttp.ClientSession | None = None
        # The pool limit is ours, not aiohttp's: its `connect` timeout covers the wait for a
        # slot and the connecting together, while httpx gives each its own budget and error.
        self._slots: asyncio.Semaphore | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        limits = self._limits
        if limits.max_connections is not None:
            self._slots = asyncio.Semaphore(limits.max_connections)
        connector = aiohttp.TCPConnector(
            limit=0,  # no limit of aiohttp's own: `_slots` is the limit
            limit_per_host=0,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=self._ssl,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),  # every request passes its own
            auto_decompress=False,  # httpx decodes by Content-Encoding itself
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept", "Content-Type"),
        )
        if hasattr(session, "_retry_connection"):
            # aiohttp resends an idempotent request once when a reused connection drops; our
            # request path decides every retry (and counts it), so it must see the failure.
            session._retry_connection = False
        self._session = session
        return session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        timeouts: Mapping[str, float | None] = request.extensions.get("timeout", {})
        slots = self._slots
        if slots is not None:
            await _acquire(slots, timeouts.get("pool"), request)
        connect, read = timeouts.get("connect"), timeouts.get("read")
        timeout = self._timeouts.get((connect, read))
        if timeout is None:  # a handful of distinct budgets per client: build each once
            timeout = aiohttp.ClientTimeout(
                total=None, connect=connect, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:
                self._timeouts[(connect, read)] = timeout
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),  # as httpx encoded it, not re-quoted
                headers=request.headers.multi_items(),
                data=_body(request),
                allow_redirects=False,
                timeout=timeout,
            )
        except BaseException as exc:
            if slots is not None:
                slots.release()
            if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
                raise _transport_error(exc, request) from exc
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_ResponseStream(response, request, slots),
            extensions={**_HTTP_11, "reason_phrase": (response.reason or "").encode("latin-1")},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _ResponseStream(httpx.AsyncByteStream):
    """The body as it arrives; closing releases the connection (or drops it, if unread) and
    its pool slot."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        request: httpx.Request,
        slots: asyncio.Semaphore | None,
    ) -> None:
        self._response = response
        self._request = request
        self._slots = slots

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        read = content.readany
        try:
            while True:
                chunk = await read()
                if not chunk:
                    return
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            error = _transport_error(exc, self._request)
            cause = exc
        # What arrived before the break is delivered first, as httpx does: a stream then
        # resumes after the last event it really got instead of losing the ones in between.
        rest = _unread(content)
        if rest:
            yield rest
        raise error from cause

    async def aclose(self) -> None:
        # Back to the pool when the body was read to its end; closed otherwise (aiohttp never
        # reuses a connection with unread body bytes on it).
        self._response.release()
        slots, self._slots = self._slots, None
        if slots is not None:
            slots.release()


def _unread(content: aiohttp.StreamReader) -> bytes:
    """The body bytes aiohttp received but nobody read yet. Its `readany` raises a stored
    connection error before returning them, so they are taken from its (private) buffer."""
    buffer = getattr(content, "_buffer", None)
    if not buffer:
        return b""
    data = b"".join(buffer)[getattr(content, "_buffer_offset", 0) or 0 :]
    buffer.clear()
    return data


async def _acquire(slots: asyncio.Semaphore, pool: float | None, request: httpx.Request) -> None:
    if not slots.locked():
        await slots.acquire()  # free: returns at once
        return
    try:
        await asyncio.wait_for(slots.acquire(), pool)
    except asyncio.TimeoutError:
        raise httpx.PoolTimeout("no free connection in the pool", request=request) from None


def _transport_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx error for one of aiohttp's. Connect-class only where nothing was sent."""
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    error: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        error = httpx.ConnectTimeout  # raised only while opening a connection
    elif isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ServerFingerprintMismatch)):
        error = httpx.ConnectError  # refused, DNS, TLS handshake or certificate: not sent
    elif isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        error = httpx.UnsupportedProtocol
    elif isinstance(exc, asyncio.TimeoutError):  # aiohttp's socket read timeout among them
        error = httpx.ReadTimeout
    elif isinstance(
        exc,
        (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError),
    ):
        error = httpx.RemoteProtocolError  # the server closed or broke the exchange
    else:
        error = httpx.ReadError  # reset, broken pipe, ...: the request may have arrived
    return error(message, request=request)


def _body(request: httpx.Request) -> bytes | AsyncIterator[bytes] | None:
    try:
        content = request.content
    except httpx.RequestNotRead:
        return _chunks(request)  # a streaming upload: sent as it is produced
    return content or None


async def _chunks(request: httpx.Request) -> AsyncIterator[bytes]:
    stream = request.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    async for chunk in stream:
        yield chunk
