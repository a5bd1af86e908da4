"""`client.http`: any route of the server, custom routes included, through the same request and
stream paths as the resource methods (typed errors, retries, key handling, `on_request`).

    await client.http.post("/my-route", json={"q": 1})
    async with client.http.stream("/my-stream", "POST", json={...}) as stream:
        async for part in stream: ...

Method and argument names follow the official SDK's `HttpClient` (`request_reconnect` too);
`client.http.client` is the `httpx.AsyncClient` underneath.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ._capture import capture_responses
from ._exceptions import APIConnectionError, APIStatusError
from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes
from ._stream import RunEvents, RunStream, StreamPart

__all__ = ["HttpRoutes"]

logger = logging.getLogger("langgraph_client")

OnResponse = Callable[[httpx.Response], Any]


class HttpRoutes:
    """Plain JSON calls and SSE streams to any path under the client's URL.

    `on_response(response)` is called with the final response (a failing one too, before its
    error is raised); `timeout` overrides the client's for one call.
    """

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    @property
    def client(self) -> httpx.AsyncClient:
        """The `httpx.AsyncClient` that carries the requests."""
        return self._http._client

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """`GET path`; the decoded JSON body."""
        return await self._call("GET", path, None, params, headers, on_response, timeout)

    async def post(
        self,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """`POST path` with a JSON body; the decoded JSON answer."""
        return await self._call("POST", path, json, params, headers, on_response, timeout)

    async def put(
        self,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """`PUT path` with a JSON body; the decoded JSON answer."""
        return await self._call("PUT", path, json, params, headers, on_response, timeout)

    async def patch(
        self,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """`PATCH path` with a JSON body; the decoded JSON answer."""
        return await self._call("PATCH", path, json, params, headers, on_response, timeout)

    async def delete(
        self,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """`DELETE path` (with an optional JSON body); the answer's body is not returned."""
        await self._call("DELETE", path, json, params, headers, on_response, timeout)

    def stream(
        self,
        path: str,
        method: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> RunStream[StreamPart]:
        """An SSE stream from `method path`, as `StreamPart(event, data, id)`s: the same
        closeable object as `runs.stream` (not resumed, since the route is not known to be)."""
        method = method.upper()
        request = self._http.build_request(
            method,
            _path(path),
            json=json,
            params=params,
            headers=headers,
            timeout=timeout,
            stream=True,
        )
        return RunStream(
            self._http,
            request,
            RunEvents(),  # no resume: the route is not known to replay
            on_response=on_response,
        )

    async def request_reconnect(
        self,
        path: str,
        method: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: OnResponse | None = None,
        reconnect_limit: int = 5,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Any:
        """A JSON call that, if its answer breaks off, fetches it again with `GET` from the
        response's `Location` (where the server's wait endpoints say to rejoin), with up to
        `reconnect_limit` retries. A `Location` on another origin is never followed."""
        method = method.upper()
        locations: list[str] = []

        def note(headers: httpx.Headers) -> None:
            if location := headers.get("location"):
                locations.append(location)

        try:
            return await self._call(
                method, path, json, params, headers, on_response, timeout, on_headers=note
            )
        except APIConnectionError:
            where = self._rejoin_path(locations[-1]) if locations else None
            if where is None or reconnect_limit <= 0:
                raise
            logger.debug("%s %s broke off; rejoining at %s", method, path, where)
        rejoin = self._http.copy(max_retries=reconnect_limit)
        return await rejoin.request("GET", where, headers=headers, timeout=timeout)

    def _rejoin_path(self, location: str) -> str | None:
        """The path under the base URL that `location` names; `None` for another origin."""
        url = httpx.URL(location)
        if not url.is_absolute_url:
            return _path(location)
        if not self._http.same_origin(url):
            return None
        where = url.raw_path.decode("ascii")
        prefix = self._http._prefix
        return where[len(prefix) :] if prefix and where.startswith(prefix + "/") else where

    async def _call(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        on_response: OnResponse | None,
        timeout: TimeoutTypes | NotGiven,
        on_headers: Callable[[httpx.Headers], None] | None = None,
    ) -> Any:
        if on_response is None:
            return await self._http.request(
                method,
                _path(path),
                json=json,
                params=params,
                headers=headers,
                timeout=timeout,
                on_headers=on_headers,
            )
        with capture_responses() as raw:
            try:
                result = await self._call(
                    method, path, json, params, headers, None, timeout, on_headers
                )
            except APIStatusError as exc:
                on_response(exc.response)
                raise
        on_response(raw.response)
        return result


def _path(path: str) -> str:
    # The official SDK joins a relative path onto the base URL; so does this.
    return path if path.startswith("/") else "/" + path
