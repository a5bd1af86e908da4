"""Calls into the Agent Server this code runs inside: `get_client()` with no URL, in a graph.

A graph served by an Agent Server that calls `get_client()` without a URL talks to that same
server, in-process: requests go straight to the server's ASGI app, under the root path the
server reserves for its own loopback calls (`/noauth`, which its auth middleware lets through).
Unlike `httpx.ASGITransport`, which returns a response only once the app has finished, this
transport hands over the response at `http.response.start` and its body chunk by chunk, so a
stream delivers each event as the server sends it.

"Inside a server" means the server's module (`langgraph_api.server`) is loaded in this process;
its `app` is looked up at the first request, so a client made while the server is still
starting (at import of a graph module) works too. If the server runs its app on another event
loop than the caller's, the app is run there and chunks are handed back thread-safely.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

__all__ = ["BASE_URL", "InProcessTransport", "inside_server"]

SERVER_MODULE = "langgraph_api.server"
LOOP_MODULE = "langgraph_api.asyncio"
BASE_URL = "http://langgraph-api"  # any host: requests never leave the process
ROOT_PATH = "/noauth"  # the server's own mark for in-process calls (no auth middleware)

_END = object()


def inside_server() -> bool:
    """True when this process is an Agent Server (its app module is loaded)."""
    return SERVER_MODULE in sys.modules


def _server_app() -> Any:
    app = getattr(sys.modules.get(SERVER_MODULE), "app", None)
    if app is None:
        raise httpx.ConnectError("no Agent Server app is loaded in this process")
    return app


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The loop the server runs its app on, if it says; else the caller's."""
    get_loop = getattr(sys.modules.get(LOOP_MODULE), "get_event_loop", None)
    if get_loop is None:
        return None
    try:
        loop = get_loop()
    except RuntimeError:  # not started yet
        return None
    return loop if isinstance(loop, asyncio.AbstractEventLoop) else None


class InProcessTransport(httpx.AsyncBaseTransport):
    """An httpx transport that calls an ASGI app in this process and streams its answer.

    `app` and `loop` default to the Agent Server's own, found at the first request.
    """

    def __init__(
        self,
        app: Any = None,
        *,
        root_path: str = ROOT_PATH,
        loop: Callable[[], asyncio.AbstractEventLoop | None] = _server_loop,
    ) -> None:
        self._app = app
        self._root_path = root_path
        self._loop = loop
        self._tasks: set[Any] = set()  # app calls in flight (a task needs a reference)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        app = self._app if self._app is not None else _server_app()
        body = await request.aread()  # request bodies are JSON already in memory
        caller = asyncio.get_running_loop()
        target = self._loop() or caller
        call = _AppCall(app, self._scope(request), body, caller, target)
        future: Any
        if target is caller:
            future = caller.create_task(call.run())
        else:
            future = asyncio.run_coroutine_threadsafe(call.run(), target)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)
        read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            status, headers = await asyncio.wait_for(asyncio.shield(call.started), read_timeout)
        except asyncio.TimeoutError:
            call.disconnect()
            raise httpx.ReadTimeout(
                "no response from the in-process server", request=request
            ) from None
        except BaseException:
            call.disconnect()
            raise
        return httpx.Response(
            status,
            headers=headers,
            stream=_Body(call, read_timeout, request),
            request=request,
        )

    def _scope(self, request: httpx.Request) -> dict[str, Any]:
        url = request.url
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "server": (url.host, url.port),
            "client": ("127.0.0.1", 0),
            "root_path": self._root_path,
        }


class _AppCall:
    """One request to the app. The app side (`run`, `receive`, `send`) runs on the app's loop;
    everything it hands to the caller goes through `call_soon_threadsafe` on the caller's."""

    def __init__(
        self,
        app: Any,
        scope: dict[str, Any],
        body: bytes,
        caller: asyncio.AbstractEventLoop,
        target: asyncio.AbstractEventLoop,
    ) -> None:
        self._app = app
        self._scope = scope
        self._body: bytes | None = body
        self._caller = caller
        self._target = target
        self.started: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]]] = caller.create_future()
        self.chunks: asyncio.Queue[Any] = asyncio.Queue()
        self._disconnected: asyncio.Event | None = None  # made on the app's loop
        self.closed = False

    def _to_caller(self, fn: Callable[..., Any], *args: Any) -> None:
        self._caller.call_soon_threadsafe(fn, *args)

    async def run(self) -> None:
        self._disconnected = asyncio.Event()
        if self.closed:  # closed before the app began
            self._disconnected.set()
        try:
            await self._app(self._scope, self._receive, self._send)
        except BaseException as exc:
            self._to_caller(self._failed, exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            self._to_caller(self.chunks.put_nowait, _END)

    async def _receive(self) -> dict[str, Any]:
        if self._body is not None:
            body, self._body = self._body, None
            return {"type": "http.request", "body": body, "more_body": False}
        assert self._disconnected is not None
        await self._disconnected.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Any) -> None:
        if self.closed:
            # What a server sees writing to a connection the client closed.
            raise OSError("the in-process client disconnected")
        kind = message["type"]
        if kind == "http.response.start":
            headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            self._to_caller(self._start, (message["status"], headers))
        elif kind == "http.response.body":
            data = message.get("body", b"")
            if data:
                self._to_caller(self.chunks.put_nowait, bytes(data))
            if not message.get("more_body", False):
                self._to_caller(self.chunks.put_nowait, _END)

    def _start(self, value: tuple[int, list[tuple[bytes, bytes]]]) -> None:
        if not self.started.done():
            self.started.set_result(value)

    def _failed(self, exc: BaseException) -> None:
        if not self.started.done():
            # Before any header: as if the connection broke before an answer.
            failure = httpx.RemoteProtocolError(f"the in-process server failed: {exc!r}")
            self.started.set_exception(failure)
        else:
            self.chunks.put_nowait(exc)

    def disconnect(self) -> None:
        """The client is gone: the app's `receive` says so, its next `send` fails."""
        if self.closed:
            return
        self.closed = True
        self._target.call_soon_threadsafe(self._set_disconnected)

    def _set_disconnected(self) -> None:
        if self._disconnected is not None:
            self._disconnected.set()


class _Body(httpx.AsyncByteStream):
    """The response body, chunk by chunk as the app sends it; closing it disconnects."""

    def __init__(self, call: _AppCall, read_timeout: float | None, request: httpx.Request):
        self._call = call
        self._read_timeout = read_timeout
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._call.chunks
        while True:
            try:
                item = await asyncio.wait_for(chunks.get(), self._read_timeout)
            except asyncio.TimeoutError:
                raise httpx.ReadTimeout(
                    "the in-process server sent nothing in time", request=self._request
                ) from None
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise httpx.ReadError(
                    f"the in-process server failed mid-response: {item!r}", request=self._request
                )
            yield item

    async def aclose(self) -> None:
        self._call.disconnect()
