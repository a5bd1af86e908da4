"""The in-process transport behind `get_client()` with no URL inside an Agent Server: bodies
arrive chunk by chunk (not buffered to the end as `httpx.ASGITransport` does), a closed response
disconnects the app, failures are typed, and the app may live on another thread's loop."""

from __future__ import annotations

import asyncio
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langgraph_client import APIConnectionError, APITimeoutError, get_client
from langgraph_client._inprocess import InProcessTransport

from .conftest import sse

pytestmark = pytest.mark.timeout(10)


@pytest.fixture(autouse=True)
def custom_routes(every_endpoint_in_the_retry_table: list[tuple[str, str]]) -> Iterator[None]:
    """The test app's routes are not the API's (no retry-table rows)."""
    yield
    every_endpoint_in_the_retry_table.clear()


class StreamingApp:
    """A tiny ASGI app: `/stream` sends one SSE event, then waits for `release` before the
    second, so a client that sees the first event before release proves incremental delivery."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.scopes: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []
        self.disconnected = asyncio.Event()
        self.send_failed: BaseException | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        message = await receive()
        self.bodies.append(message.get("body", b""))
        path = scope["path"]
        if path == "/boom":
            raise RuntimeError("app crashed")
        if path == "/silent":
            await asyncio.sleep(5)
        if path == "/json":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"x-request-id", b"q1")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"ok": true}'})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"content-location", b"/threads/T/runs/R"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": sse("a", {"n": 1}), "more_body": True})
        if path == "/forever":
            self.watcher = asyncio.create_task(self._watch(receive))
            try:
                for _ in range(200):
                    await asyncio.sleep(0.01)
                    await send(
                        {"type": "http.response.body", "body": b": hb\r\n\r\n", "more_body": True}
                    )
            except OSError as exc:
                self.send_failed = exc
            return
        await self.release.wait()
        await send({"type": "http.response.body", "body": sse("b", {"n": 2}), "more_body": True})
        if path == "/midfail":
            raise RuntimeError("died mid-stream")
        await send({"type": "http.response.body", "body": b""})

    async def _watch(self, receive: Any) -> None:
        if (await receive())["type"] == "http.disconnect":
            self.disconnected.set()


def _client(app: Any, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=InProcessTransport(app, **kwargs), base_url="http://api")


async def test_stream_is_delivered_incrementally() -> None:
    app = StreamingApp()
    async with _client(app) as http, http.stream("POST", "/stream", json={"x": 1}) as response:
        chunks = response.aiter_bytes()
        first = await asyncio.wait_for(chunks.__anext__(), 2)  # before the app is released
        assert first == sse("a", {"n": 1})
        app.release.set()
        rest = [chunk async for chunk in chunks]
    assert rest == [sse("b", {"n": 2})]
    assert response.headers["content-location"] == "/threads/T/runs/R"
    scope = app.scopes[0]
    assert (scope["method"], scope["path"], scope["root_path"]) == ("POST", "/stream", "/noauth")
    assert app.bodies == [b'{"x":1}']


async def test_httpx_asgi_transport_would_have_buffered() -> None:
    # Why this transport exists: httpx's returns only once the app has finished.
    app = StreamingApp()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://a") as h:
        pending = asyncio.ensure_future(h.send(h.build_request("POST", "/stream"), stream=True))
        await asyncio.sleep(0.2)
        assert not pending.done()
        app.release.set()
        response = await asyncio.wait_for(pending, 2)
        await response.aclose()


async def test_query_string_and_headers_reach_the_app() -> None:
    app = StreamingApp()
    async with _client(app) as http:
        response = await http.get("/json", params={"a": "1 2"}, headers={"X-Thing": "v"})
    assert response.json() == {"ok": True}
    scope = app.scopes[0]
    assert scope["query_string"] == b"a=1+2"
    assert (b"x-thing", b"v") in scope["headers"]


async def test_closing_the_response_disconnects_the_app() -> None:
    app = StreamingApp()
    async with _client(app) as http, http.stream("GET", "/forever") as response:
        async for _ in response.aiter_bytes():
            break
    await asyncio.wait_for(app.disconnected.wait(), 2)
    for _ in range(100):  # the app's next write fails, as on a closed socket
        if app.send_failed is not None:
            break
        await asyncio.sleep(0.01)
    assert isinstance(app.send_failed, OSError)


async def test_app_crash_before_headers_is_a_connection_error() -> None:
    client = get_client(url="http://api", api_key=None, max_retries=0)
    client._http._client = _client(StreamingApp())
    with pytest.raises(APIConnectionError, match="app crashed"):
        await client.http.get("/boom")
    await client._http._client.aclose()


async def test_app_crash_mid_stream_is_a_broken_stream() -> None:
    app = StreamingApp()
    client = get_client(url="http://api", api_key=None, max_retries=0)
    client._http._client = _client(app)
    parts = []
    with pytest.raises(APIConnectionError, match="died mid-stream"):
        async with client.http.stream("/midfail", "POST") as stream:
            async for part in stream:
                parts.append(part)
                app.release.set()
    assert [p.event for p in parts] == ["a", "b"]
    await client._http._client.aclose()


async def test_silence_past_the_read_timeout_is_a_timeout() -> None:
    client = get_client(url="http://api", api_key=None, max_retries=0, timeout=0.2)
    client._http._client = _client(StreamingApp())
    with pytest.raises(APITimeoutError):
        await client.http.get("/silent")
    await client._http._client.aclose()


@pytest.fixture
def app_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in another thread, as a server's main loop would."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


async def test_app_on_another_loop(app_loop: asyncio.AbstractEventLoop) -> None:
    async def make_app() -> StreamingApp:
        return StreamingApp()

    app = asyncio.run_coroutine_threadsafe(make_app(), app_loop).result(2)
    http = _client(app, loop=lambda: app_loop)
    async with http, http.stream("POST", "/stream") as response:
        chunks = response.aiter_bytes()
        first = await asyncio.wait_for(chunks.__anext__(), 2)
        app_loop.call_soon_threadsafe(app.release.set)
        rest = [chunk async for chunk in chunks]
    assert [first, *rest] == [sse("a", {"n": 1}), sse("b", {"n": 2})]
    assert app.scopes[0]["path"] == "/stream"


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> StreamingApp:
    """This process posing as an Agent Server: its app module is loaded."""
    app = StreamingApp()
    module = types.ModuleType("langgraph_api.server")
    module.app = app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "langgraph_api.server", module)
    return app


async def test_get_client_without_url_inside_a_server_calls_it_in_process(
    fake_server: StreamingApp,
) -> None:
    async with get_client(api_key=None) as client:
        assert await client.http.get("/json") == {"ok": True}
        fake_server.release.set()
        async with client.http.stream("/stream", "POST", json={}) as stream:
            events = [part.event async for part in stream]
    assert events == ["a", "b"]
    assert isinstance(client.http.client._transport, InProcessTransport)


async def test_get_client_with_a_url_inside_a_server_goes_over_http(
    fake_server: StreamingApp,
) -> None:
    async with get_client(url="http://127.0.0.1:9", api_key=None) as client:
        assert not isinstance(client.http.client._transport, InProcessTransport)


async def test_get_client_without_url_elsewhere_is_localhost_8123() -> None:
    assert "langgraph_api.server" not in sys.modules
    async with get_client(api_key=None) as client:
        assert str(client._http.base_url) == "http://localhost:8123"
        assert not isinstance(client.http.client._transport, InProcessTransport)


async def test_app_is_found_at_the_first_request_not_at_get_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A client made while the server module is still importing (no `app` yet) works later.
    module = types.ModuleType("langgraph_api.server")
    monkeypatch.setitem(sys.modules, "langgraph_api.server", module)
    async with get_client(api_key=None, max_retries=0) as client:
        with pytest.raises(APIConnectionError, match="no Agent Server app"):
            await client.http.get("/json")
        module.app = StreamingApp()  # type: ignore[attr-defined]
        assert await client.http.get("/json") == {"ok": True}


def test_sync_client_without_url_inside_a_server_stays_on_localhost(
    fake_server: StreamingApp,
) -> None:
    # As the official SDK's sync client: no in-process mode (a blocking client cannot run the
    # server's app on its own event loop).
    from langgraph_client import get_sync_client

    with get_sync_client(api_key=None) as client:
        assert str(client._http.base_url) == "http://localhost:8123"
