"""The one request path: send, retry, follow safe redirects, read and decode the answer.

Sub-clients know paths, payloads and return types; everything about HTTP lives here and in
`_http_base` (the decisions, which no I/O touches, shared by the async and sync clients).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from . import _capture, _retry
from ._concurrency import call_hook
from ._config import (
    DEFAULT_LIMITS,
    DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    NotGiven,
    OnRequest,
    TimeoutTypes,
)
from ._exceptions import APIResponseValidationError, ClientClosedError, transport_error
from ._http_base import (
    MAX_REDIRECTS,
    REDIRECTS,
    BaseHttpClient,
    OnHeaders,
    decode_json,
    log_response,
    logger,
    undecodable,
)
from ._payloads import drop_none
from ._tls import shared_context

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_STREAM_IDLE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncHttpClient",
    "NotGiven",
    "OnHeaders",
    "TimeoutTypes",
    "drop_none",
]


class AsyncHttpClient(BaseHttpClient):
    """Owns the connection pool of one `Client` and sends every request through `send`."""

    _client: httpx.AsyncClient

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
        reconnect: _retry.ReconnectPolicy | None = None,
        on_request: OnRequest | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            stream_idle_timeout=stream_idle_timeout,
            reconnect=reconnect,
        )
        self._owns_client = http_client is None
        self._client = http_client or _own_client(self.timeout, limits or DEFAULT_LIMITS, transport)
        self.on_request = on_request

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def send(
        self,
        request: httpx.Request,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
        read: bool = False,
        on_headers: OnHeaders | None = None,
    ) -> httpx.Response:
        """Send and return a response with a 2xx status: its body read if `read`, else not yet
        (the caller must then close it). `on_headers` sees the headers before the body is read.

        Retries what the endpoint table allows (`_retry.ENDPOINTS`; with `read`, a safe request
        whose body breaks off is sent again too), follows same-origin redirects, and raises the
        typed error for the rest.
        """
        if self._client.is_closed:  # else httpx's bare RuntimeError
            raise ClientClosedError(f"the client is closed ({request.method} {request.url.path})")
        retries = self.max_retries if isinstance(max_retries, NotGiven) else max_retries
        retry = self.retry_mode(request)
        attempt = 0
        redirects = 0
        while True:
            if self.on_request is not None:
                await call_hook(self.on_request, request)  # every attempt: a fresh token each
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
                log_response(response)
                if on_headers is not None:
                    try:
                        on_headers(response.headers)
                    except BaseException:
                        await response.aclose()
                        raise
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
            if status in REDIRECTS and redirects < MAX_REDIRECTS:
                await response.aclose()
                request = self.redirect_request(request, response)
                redirects += 1
                continue
            if attempt < retries and _retry.can_retry_status(status, retry):
                delay = _retry.retry_after(response.headers)
                # Asked to wait longer than we would: a retry after the capped wait would
                # almost surely fail again, so the caller gets the error (and the delay) now.
                if delay is None or delay <= _retry.MAX_RETRY_AFTER:
                    await response.aclose()
                    await self._sleep_before_retry(request, attempt, retries, str(status), delay)
                    attempt += 1
                    continue
            try:
                content = await _read(response)
            except (httpx.TransportError, APIResponseValidationError):
                content = b""
            raise self.status_error(response, content)

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

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        on_headers: OnHeaders | None = None,
    ) -> Any:
        """One JSON call: the decoded body, retried as the endpoint table says. `on_headers`
        sees the response's headers before the body is read (a run's id, a pagination offset)."""
        request = self.build_request(
            method, path, json=json, params=params, headers=headers, timeout=timeout
        )
        response = await self.send(request, read=True, on_headers=on_headers)
        return decode_json(response.content, response)


async def _read(response: httpx.Response) -> bytes:
    """The whole body; the response is closed afterwards."""
    try:
        return await response.aread()
    except httpx.DecodingError as exc:
        raise undecodable(response, exc) from None
    finally:
        await response.aclose()


def _own_client(
    timeout: httpx.Timeout,
    limits: httpx.Limits,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The pool a client builds when none is passed in; the one TLS context of the process
    (`transport`: the in-process one, inside a server)."""
    return httpx.AsyncClient(
        timeout=timeout, limits=limits, verify=shared_context(), transport=transport
    )
