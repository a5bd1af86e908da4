"""The one request path: build, send, retry, follow safe redirects, map errors, decode JSON.

Sub-clients know paths, payloads and return types; everything about HTTP lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import httpx

from . import _capture, _retry
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    status_error,
    transport_error,
)
from ._json import dumps, loads
from ._version import __version__

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_STREAM_IDLE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncHttpClient",
    "NotGiven",
    "OnRequest",
    "TimeoutTypes",
    "drop_none",
]

logger = logging.getLogger("langgraph_client")


class NotGiven:
    """The type of `NOT_GIVEN`: "use the client's default", as opposed to an explicit `None`."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

OnRequest = Callable[[httpx.Request], "Awaitable[None] | None"]
"""Called with every request just before it is sent (each retry, resume and rejoin too); it
may change the request's headers. A coroutine function is awaited."""

TimeoutTypes = (
    float | httpx.Timeout | tuple[float | None, float | None, float | None, float | None] | None
)
"""Seconds for every phase, an `httpx.Timeout` or a `(connect, read, write, pool)` tuple with
separate budgets, or `None`: no limit for one call, the defaults for `get_client`."""

# Agent runs take minutes: connecting is quick or broken, but a read may wait on a long step.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=300.0, write=300.0, pool=60.0)
# The server sends a heartbeat every 5 s on streams: a minute of silence is a dead connection.
DEFAULT_STREAM_IDLE_TIMEOUT = 60.0
# Long runs hold a connection each: httpx's default of 100 would queue the 101st concurrent run.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
_MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_JSON_HEADERS = {"content-type": "application/json"}


class AsyncHttpClient:
    """Owns the connection pool and the policy (headers, timeouts, retries) of one `Client`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes,
        max_retries: int,
        http_client: httpx.AsyncClient | None,
        limits: httpx.Limits | None,
        stream_idle_timeout: float | None,
        on_request: OnRequest | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.base_url = httpx.URL(base_url.rstrip("/"))
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise ValueError(f"url must be an absolute http(s) URL, got {base_url!r}")
        self._prefix = self.base_url.raw_path.decode("ascii").rstrip("/")
        if api_key is not None and not (api_key.isascii() and api_key.isprintable()):
            # Said without the key: h11's and the codec's own errors would quote it whole.
            raise ValueError("api_key has characters an HTTP header cannot carry")
        self._api_key = api_key
        self.timeout = _as_timeout(timeout)
        self.max_retries = max_retries
        self.stream_idle_timeout = stream_idle_timeout
        # Lower-case names, so that a caller's `User-Agent` or `X-Api-Key` replaces ours.
        self.headers = {"user-agent": f"langgraph-client/{__version__}", **_lower(headers)}
        self.on_request = on_request
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(
            timeout=self.timeout, limits=limits or DEFAULT_LIMITS, transport=transport
        )

    def copy(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        stream_idle_timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> AsyncHttpClient:
        """The same connection pool under other options; closing the copy leaves the pool open."""
        clone = object.__new__(AsyncHttpClient)
        clone.__dict__.update(self.__dict__)
        clone._owns_client = False
        if not isinstance(timeout, NotGiven):
            clone.timeout = _as_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            if max_retries < 0:
                raise ValueError("max_retries must be >= 0")
            clone.max_retries = max_retries
        if headers:
            clone.headers = {**self.headers, **_lower(headers)}
        if not isinstance(stream_idle_timeout, NotGiven):
            clone.stream_idle_timeout = stream_idle_timeout
        return clone

    @property
    def has_api_key(self) -> bool:
        return bool(self._api_key)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # Building

    def build_request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        stream: bool = False,
    ) -> httpx.Request:
        """A request to `path` under the base URL; the body is encoded here, before any I/O."""
        content = None if json is None else dumps(json)
        merged = dict(self.headers)
        if content is not None:
            merged.update(_JSON_HEADERS)
        if stream:
            merged["accept"] = "text/event-stream"
            merged["cache-control"] = "no-store"
        if self._api_key:
            merged["x-api-key"] = self._api_key
        if headers:
            merged.update(_lower(headers))
        return self._client.build_request(
            method,
            self.base_url.copy_with(raw_path=(self._prefix + path).encode("ascii")),
            content=content,
            params=_clean_params(params),
            headers=merged,
            timeout=self._effective_timeout(timeout, stream),
        )

    def _effective_timeout(self, timeout: TimeoutTypes | NotGiven, stream: bool) -> httpx.Timeout:
        base = self.timeout if isinstance(timeout, NotGiven) else _as_timeout(timeout)
        idle = self.stream_idle_timeout
        if stream and idle is not None and (base.read is None or base.read > idle):
            # On a stream the read timeout is the idle budget: heartbeats keep a live one busy.
            return httpx.Timeout(connect=base.connect, read=idle, write=base.write, pool=base.pool)
        return base

    def same_origin(self, url: httpx.URL) -> bool:
        base = self.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    # Sending

    async def send(
        self,
        request: httpx.Request,
        *,
        retry: _retry.RetryMode,
        max_retries: int | NotGiven = NOT_GIVEN,
        read: bool = False,
    ) -> httpx.Response:
        """Send and return a response with a 2xx status: its body read if `read`, else not yet
        (the caller must then close it).

        Retries what `retry` allows (with `read`, a safe request whose body breaks off is sent
        again too), follows same-origin redirects, and raises the typed error for the rest.
        """
        retries = self.max_retries if isinstance(max_retries, NotGiven) else max_retries
        attempt = 0
        redirects = 0
        while True:
            if self.on_request is not None:
                pending = self.on_request(request)
                if pending is not None:
                    await pending
            try:
                response = await self._client.send(request, stream=True, follow_redirects=False)
            except httpx.TransportError as exc:
                if attempt < retries and _retry.can_retry_error(exc, retry):
                    await self._sleep_before_retry(request, attempt, retries, repr(exc), None)
                    attempt += 1
                    continue
                raise transport_error(exc, request) from exc
            _capture.record(response)
            status = response.status_code
            if status < 300:
                _log_response(response)
                if not read:
                    return response
                try:
                    await _read(response)
                except httpx.TransportError as exc:
                    if attempt < retries and retry == "safe":
                        await self._sleep_before_retry(request, attempt, retries, repr(exc), None)
                        attempt += 1
                        continue
                    raise transport_error(exc, request) from exc
                return response
            if status in _REDIRECTS and redirects < _MAX_REDIRECTS:
                request = await self._redirect(request, response)
                redirects += 1
                continue
            if attempt < retries and _retry.can_retry_status(status, retry):
                await response.aclose()
                delay = _retry.retry_after(response.headers)
                await self._sleep_before_retry(request, attempt, retries, str(status), delay)
                attempt += 1
                continue
            raise await self._status_error(response)

    async def _sleep_before_retry(
        self,
        request: httpx.Request,
        attempt: int,
        retries: int,
        why: str,
        delay: float | None,
    ) -> None:
        wait = _retry.backoff(attempt) if delay is None else delay
        logger.debug(
            "retrying %s %s in %.2fs (retry %d of %d) after %s",
            request.method,
            request.url.path,
            wait,
            attempt + 1,
            retries,
            why,
        )
        await _retry.sleep(wait)

    async def _redirect(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        """The next request of a same-origin redirect; anything else is refused with an error.

        Credentials never go to another origin, and a POST is never silently turned into a GET.
        """
        location = response.headers.get("location")
        await response.aclose()
        target = request.url.join(location) if location else None
        refuse = None
        if target is None:
            refuse = "a redirect without a Location header"
        elif not self.same_origin(target):
            refuse = (
                f"a redirect to another origin ({target.scheme}://{target.host}); "
                "credentials are never sent there. Point the client at the final URL instead"
            )
        elif response.status_code not in (307, 308) and request.method not in ("GET", "HEAD"):
            refuse = (
                f"a {response.status_code} redirect of a {request.method} (it would drop the body)"
            )
        if refuse is not None or target is None:
            raise APIStatusError(
                f"{response.status_code} for {request.method} {request.url.path}: refused {refuse}",
                response=response,
                body=None,
            )
        logger.debug("following %d redirect to %s", response.status_code, target.path)
        return self._client.build_request(
            request.method,
            target,
            content=request.content,
            headers=request.headers,
            extensions=request.extensions,
        )

    async def _status_error(self, response: httpx.Response) -> APIStatusError:
        try:
            content = await _read(response)
        except (httpx.TransportError, APIResponseValidationError):
            content = b""
        if self._api_key and self._api_key.encode() in content:
            # A server or proxy that echoes the request must not put the key in an exception.
            content = content.replace(self._api_key.encode(), b"[redacted]")
        _log_response(response)
        body: Any = None
        if content.strip():
            try:
                body = loads(content)
            except ValueError:
                body = None
        return status_error(response, body, content)

    # Reading

    async def read_json(self, response: httpx.Response) -> Any:
        """Read the whole body and decode it; the response is closed afterwards."""
        try:
            content = await _read(response)
        except httpx.TransportError as exc:
            raise transport_error(exc, response.request) from exc
        return decode_json(content, response)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        retry: _retry.RetryMode | None = None,
    ) -> Any:
        """One JSON call. Writes that could act twice pass `retry="connect"`; POSTs default to
        it, every other method to `safe`."""
        request = self.build_request(
            method, path, json=json, params=params, headers=headers, timeout=timeout
        )
        mode = retry or ("connect" if method == "POST" else "safe")
        response = await self.send(request, retry=mode, read=True)
        return decode_json(response.content, response)


async def _read(response: httpx.Response) -> bytes:
    """The whole body; the response is closed afterwards. A body that cannot be decompressed
    (bad gzip) is the server's fault: `APIResponseValidationError`, not a raw httpx error."""
    try:
        return await response.aread()
    except httpx.DecodingError as exc:
        raise APIResponseValidationError(
            f"undecodable body from {response.request.method} {response.request.url.path}: {exc}",
            request=response.request,
            response=response,
        ) from None
    finally:
        await response.aclose()


def decode_json(content: bytes, response: httpx.Response) -> Any:
    """Decode a JSON body; empty means `None` (204s, bodiless answers)."""
    if not content or content.isspace():
        return None
    try:
        return loads(content)
    except ValueError as exc:
        snippet = content[:200].decode("utf-8", "replace")
        kind = response.headers.get("content-type", "no content type")
        raise APIResponseValidationError(
            f"expected a JSON body from {response.request.method} {response.request.url.path}, "
            f"got {kind}: {exc}; body starts {snippet!r}",
            request=response.request,
            response=response,
        ) from exc


def _lower(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers else {}


def drop_none(body: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON body without its `None` values: options left unset are not sent."""
    return {k: v for k, v in body.items() if v is not None}


def _as_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {
        k: (str(v).lower() if isinstance(v, bool) else v)
        for k, v in params.items()
        if v is not None
    }


def _log_response(response: httpx.Response) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        request = response.request
        logger.debug("%s %s -> %d", request.method, request.url.path, response.status_code)
