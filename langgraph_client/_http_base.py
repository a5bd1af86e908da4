"""What the async and sync request paths share: base URL, key, headers, timeouts, building a
request, and the decisions about redirects and error responses. No I/O happens here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from . import _retry
from ._config import NOT_GIVEN, NotGiven, TimeoutTypes, as_timeout
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    redact_response,
    status_error,
)
from ._json import dumps, loads
from ._version import __version__

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["BaseHttpClient", "OnHeaders", "decode_json", "log_response", "logger"]

logger = logging.getLogger("langgraph_client")

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_CACHED_URLS = 256
_JSON_HEADERS = {"content-type": "application/json"}

OnHeaders = Callable[[httpx.Headers], None]
"""Called with a 2xx response's headers before its body is read."""


class BaseHttpClient:
    """The policy of one client (headers, timeouts, retries); subclasses own the connection pool
    and do the sending."""

    _client: httpx.AsyncClient | httpx.Client
    base_url: httpx.URL
    timeout: httpx.Timeout
    max_retries: int
    stream_idle_timeout: float | None
    headers: dict[str, str]

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes,
        max_retries: int,
        stream_idle_timeout: float | None,
        reconnect: _retry.ReconnectPolicy | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"url must be an absolute http(s) URL, got {base_url!r}")
        # The path is a prefix of every request path; a query (`?tenant=t1`) goes on every
        # request as parameters, under the call's own.
        self._prefix = url.raw_path.decode("ascii").partition("?")[0].rstrip("/")
        self._base_params = httpx.QueryParams(url.query) if url.query else None
        self.base_url = httpx.URL(str(url.copy_with(query=None, fragment=None)).rstrip("/"))
        self._urls: dict[str, httpx.URL] = {}  # path -> URL: parsing one costs ~12 us a call
        self._api_key = _check_key(api_key)
        self.reconnect: _retry.ReconnectPolicy = reconnect or _retry.DEFAULT_RECONNECT
        self.timeout = as_timeout(timeout)
        self.max_retries = max_retries
        self.stream_idle_timeout = stream_idle_timeout
        # Lower-case names, so that a caller's `User-Agent` or `X-Api-Key` replaces ours.
        self.headers = {"user-agent": f"langgraph-client/{__version__}", **_lower(headers)}
        self._owns_client = True

    def copy(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        stream_idle_timeout: float | NotGiven | None = NOT_GIVEN,
        reconnect: _retry.ReconnectPolicy | NotGiven = NOT_GIVEN,
    ) -> Self:
        """The same connection pool under other options; closing the copy leaves the pool open."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._owns_client = False
        if not isinstance(timeout, NotGiven):
            clone.timeout = as_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            if max_retries < 0:
                raise ValueError("max_retries must be >= 0")
            clone.max_retries = max_retries
        if headers:
            extra = _lower(headers)
            if "x-api-key" in extra:
                # A key given here replaces the client's (and is the one redacted from errors).
                clone._api_key = _check_key(extra.pop("x-api-key") or None)
            clone.headers = {**self.headers, **extra}
        if not isinstance(reconnect, NotGiven):
            clone.reconnect = reconnect
        if not isinstance(stream_idle_timeout, NotGiven):
            clone.stream_idle_timeout = stream_idle_timeout
        return clone

    @property
    def has_api_key(self) -> bool:
        return bool(self._api_key)

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
        url = self._urls.get(path)
        if url is None:
            url = self.base_url.copy_with(raw_path=(self._prefix + path).encode("ascii"))
            if len(self._urls) < _MAX_CACHED_URLS:  # paths with fresh ids must not grow it
                self._urls[path] = url
        query: httpx.QueryParams | dict[str, Any] | None = _clean_params(params)
        if self._base_params is not None:
            query = self._base_params.merge(query) if query else self._base_params
        return self._client.build_request(
            method,
            url,
            content=content,
            params=query,
            headers=merged,
            timeout=self._effective_timeout(timeout, stream),
        )

    def _effective_timeout(self, timeout: TimeoutTypes | NotGiven, stream: bool) -> httpx.Timeout:
        base = self.timeout if isinstance(timeout, NotGiven) else as_timeout(timeout)
        idle = self.stream_idle_timeout
        if stream and idle is not None and (base.read is None or base.read > idle):
            # On a stream the read timeout is the idle budget: heartbeats keep a live one busy.
            return httpx.Timeout(connect=base.connect, read=idle, write=base.write, pool=base.pool)
        return base

    def retry_mode(self, request: httpx.Request) -> _retry.RetryMode:
        """Whether `request` may be re-sent: `_retry.ENDPOINTS`, by method and path."""
        # The table matches encoded segments: an id holding `/` is still one segment there.
        raw = request.url.raw_path.decode("ascii").partition("?")[0]
        if self._prefix and raw.startswith(self._prefix):
            raw = raw[len(self._prefix) :]
        content = request.content if request.method == "POST" else b""
        return _retry.mode_for(request.method, raw, lambda: _body(content))

    def same_origin(self, url: httpx.URL) -> bool:
        base = self.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    def redirect_request(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        """The next request of a same-origin redirect; anything else is refused with an error.

        Credentials never go to another origin, and a POST is never silently turned into a GET.
        """
        location = response.headers.get("location")
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

    def status_error(self, response: httpx.Response, content: bytes) -> APIStatusError:
        """The typed error for an error response whose body (`content`) has been read."""
        log_response(response)
        # A server or proxy that echoes the request must not put the key in an exception:
        # not in its message, its body, nor the response it carries.
        response, content = redact_response(response, content, self._api_key)
        body: Any = None
        if content.strip():
            try:
                body = loads(content)
            except ValueError:
                body = None
        return status_error(response, body, content)


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


def undecodable(response: httpx.Response, exc: httpx.DecodingError) -> APIResponseValidationError:
    """A body that cannot be decompressed (bad gzip) is the server's fault, not a raw httpx
    error."""
    return APIResponseValidationError(
        f"undecodable body from {response.request.method} {response.request.url.path}: {exc}",
        request=response.request,
        response=response,
    )


def log_response(response: httpx.Response) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        request = response.request
        logger.debug("%s %s -> %d", request.method, request.url.path, response.status_code)


def _check_key(api_key: str | None) -> str | None:
    if api_key is not None and not (api_key.isascii() and api_key.isprintable()):
        # Said without the key: h11's and the codec's own errors would quote it whole.
        raise ValueError("api_key has characters an HTTP header cannot carry")
    return api_key


def _body(content: bytes) -> Any:
    try:
        return loads(content) if content else None
    except ValueError:
        return None


def _lower(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers else {}


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {
        k: (str(v).lower() if isinstance(v, bool) else v)
        for k, v in params.items()
        if v is not None
    }
