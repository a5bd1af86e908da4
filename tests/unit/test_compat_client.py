"""`client.http` (custom routes through the one request and stream paths), `capture_responses()`
(raw responses next to parsed results), and `timeout=None` meaning the defaults."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langgraph_client import (
    HttpRoutes,
    NotFoundError,
    StreamPart,
    capture_responses,
    get_client,
)

from .conftest import MockFactory, sse, sse_response

pytestmark = pytest.mark.both_clients


@pytest.fixture(autouse=True)
def custom_routes(every_endpoint_in_the_retry_table: list[tuple[str, str]]) -> Iterator[None]:
    """Routes outside the API's retry table are the point here (`client.http`)."""
    yield
    every_endpoint_in_the_retry_table.clear()


def echo(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content) if request.content else None
    return httpx.Response(
        200,
        json={"method": request.method, "path": request.url.path, "body": body},
        headers={"x-request-id": f"req-{request.method}"},
    )


# client.http


async def test_each_method_reaches_its_route_with_body_params_and_headers(
    mock: MockFactory,
) -> None:
    client, requests = mock(echo)
    http = client.http
    assert await http.get("/custom/a", params={"q": 1}, headers={"X-T": "g"}) == {
        "method": "GET",
        "path": "/custom/a",
        "body": None,
    }
    assert (await http.post("/custom/b", json={"x": 1}))["body"] == {"x": 1}
    assert (await http.put("/custom/c", json=[1, 2]))["body"] == [1, 2]
    assert (await http.patch("/custom/d", json={"y": None}))["body"] == {"y": None}
    assert await http.delete("/custom/e", json={"z": 1}) is None
    assert [(r.method, r.url.path) for r in requests] == [
        ("GET", "/custom/a"),
        ("POST", "/custom/b"),
        ("PUT", "/custom/c"),
        ("PATCH", "/custom/d"),
        ("DELETE", "/custom/e"),
    ]
    assert requests[0].url.params["q"] == "1"
    assert requests[0].headers["x-t"] == "g"
    assert json.loads(requests[4].content) == {"z": 1}


async def test_key_and_client_headers_go_with_custom_routes(mock: MockFactory) -> None:
    client, requests = mock(echo, api_key="sk-custom", headers={"X-App": "me"})
    await client.http.get("my/route")  # a relative path joins the base URL
    assert requests[0].url.path == "/my/route"
    assert requests[0].headers["x-api-key"] == "sk-custom"
    assert requests[0].headers["x-app"] == "me"


async def test_http_client_is_the_httpx_client(mock: MockFactory) -> None:
    client, _ = mock(echo)
    assert isinstance(client.http.client, (httpx.AsyncClient, httpx.Client))
    inner = getattr(client, "sync", client)  # the sync client itself, under the async view
    assert client.http.client is inner._http._client


def test_http_is_an_http_routes_object_on_both_clients() -> None:
    from langgraph_client import SyncHttpRoutes, get_sync_client

    assert isinstance(get_client(api_key=None).http, HttpRoutes)
    sync = get_sync_client(api_key=None)
    assert isinstance(sync.http, SyncHttpRoutes)
    assert isinstance(sync.http.client, httpx.Client)
    sync.close()


async def test_errors_are_typed_and_on_response_sees_them(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(404, json={"detail": "no such route"}))
    seen: list[int] = []
    with pytest.raises(NotFoundError, match="no such route"):
        await client.http.get("/nope", on_response=lambda r: seen.append(r.status_code))
    assert seen == [404]


async def test_on_response_gets_the_final_response(mock: MockFactory) -> None:
    client, _ = mock(echo)
    seen: list[httpx.Response] = []
    await client.http.post("/x", json={}, on_response=seen.append)
    assert [r.headers["x-request-id"] for r in seen] == ["req-POST"]


@pytest.mark.usefixtures("no_retry_delay")
@pytest.mark.parametrize(
    ("method", "path", "sent"),
    [
        ("get", "/threads/T", 3),  # a route of the API: as `threads.get`, a safe read
        ("post", "/threads/search", 3),  # a search: safe
        ("post", "/runs/wait", 1),  # starts a run: never sent twice once it left
        ("get", "/custom/x", 1),  # not in the table: only if it never left
        ("put", "/custom/x", 1),
        ("delete", "/custom/x", 1),
    ],
)
async def test_retry_policy_is_the_endpoint_table(
    mock: MockFactory, method: str, path: str, sent: int
) -> None:
    client, requests = mock(lambda r: httpx.Response(503, json={}), max_retries=2)
    call = getattr(client.http, method)
    with pytest.raises(httpx.HTTPStatusError):
        await (call(path) if method in ("get", "delete") else call(path, json={}))
    assert len(requests) == sent


@pytest.mark.usefixtures("no_retry_delay")
async def test_custom_route_is_retried_when_it_never_left(mock: MockFactory) -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, requests = mock(refused, max_retries=2)
    with pytest.raises(httpx.ConnectError):
        await client.http.post("/custom/x", json={})
    assert len(requests) == 3


async def test_stream_yields_parts_through_the_stream_path(mock: MockFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return sse_response(sse("metadata", {"run_id": "R"}), sse("custom", {"n": 1}))

    client, requests = mock(handler)
    opened: list[int] = []
    async with client.http.stream(
        "/my/stream",
        "post",
        json={"q": 1},
        params={"p": "v"},
        on_response=lambda r: opened.append(r.status_code),
    ) as stream:
        parts = [part async for part in stream]
    assert parts == [StreamPart("metadata", {"run_id": "R"}), StreamPart("custom", {"n": 1})]
    assert opened == [200]
    request = requests[0]
    assert (request.method, request.url.path, request.url.params["p"]) == (
        "POST",
        "/my/stream",
        "v",
    )
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content) == {"q": 1}


# capture_responses


async def test_capture_gives_the_raw_response_of_a_call(mock: MockFactory) -> None:
    client, _ = mock(echo)
    with capture_responses() as raw:
        result = await client.runs.get("T", "R")
    assert result["path"] == "/threads/T/runs/R"
    assert raw.status_code == 200
    assert raw.request_id == "req-GET"
    assert raw.headers["content-type"] == "application/json"
    assert raw.response.request.url.path == "/threads/T/runs/R"


async def test_capture_records_errors_streams_and_retries(
    mock: MockFactory, no_retry_delay: None
) -> None:
    answers = iter([httpx.Response(503, json={}), httpx.Response(404, json={"detail": "x"})])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return sse_response(sse("values", {"a": 1}), headers={"x-request-id": "s1"})
        return next(answers)

    client, _ = mock(handler, max_retries=1)
    with capture_responses() as raw:
        with pytest.raises(NotFoundError):
            await client.threads.get("00000000-0000-0000-0000-000000000000")
        async with client.runs.stream(None, "agent") as stream:
            [part async for part in stream]
    assert [r.status_code for r in raw.responses] == [503, 404, 200]
    assert raw.request_id == "s1"


async def test_capture_outside_a_block_records_nothing(mock: MockFactory) -> None:
    client, _ = mock(echo)
    with capture_responses() as raw:
        pass
    await client.health()
    assert raw.responses == []
    with pytest.raises(LookupError):
        _ = raw.response


async def test_nested_captures_and_concurrent_tasks_stay_apart(mock: MockFactory) -> None:
    client, _ = mock(echo)

    async def one(path: str) -> list[str]:
        with capture_responses() as raw:
            await client.http.get(path)
            await asyncio.sleep(0)
            await client.http.get(path)
        return [r.request.url.path for r in raw.responses]

    with capture_responses() as outer:
        with capture_responses() as inner:
            await client.health()
        a, b = await asyncio.gather(one("/a"), one("/b"))
    assert a == ["/a", "/a"] and b == ["/b", "/b"]
    assert [r.request.url.path for r in inner.responses] == ["/ok"]
    assert sorted(r.request.url.path for r in outer.responses) == ["/a", "/a", "/b", "/b", "/ok"]


# timeout=None


def _timeout(client: Any) -> dict[str, float | None]:
    return dict(client._http.build_request("GET", "/ok").extensions["timeout"])


def test_timeout_none_means_the_defaults_as_in_the_official_sdk() -> None:
    defaults = _timeout(get_client(api_key=None))
    assert defaults == {"connect": 5.0, "read": 300.0, "write": 300.0, "pool": 60.0}
    assert _timeout(get_client(api_key=None, timeout=None)) == defaults


def test_no_limit_is_an_explicit_httpx_timeout_none() -> None:
    assert _timeout(get_client(api_key=None, timeout=httpx.Timeout(None))) == dict.fromkeys(
        ("connect", "read", "write", "pool")
    )


def test_timeout_tuple_as_in_the_official_sdk() -> None:
    client = get_client(api_key=None, timeout=(1.0, 2.0, 3.0, 4.0))
    assert _timeout(client) == {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}
