"""Issue 8, bugs 6-8: a base URL with a query, a key given through `with_options`, and a key
echoed back in an error response."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from langgraph_client import APIStatusError, BadRequestError

from .conftest import API_KEY, MockFactory, sse, sse_response

pytestmark = pytest.mark.both_clients

OTHER_KEY = "sk-OTHER-987"


def ok(request: httpx.Request) -> httpx.Response:
    if request.headers.get("accept") == "text/event-stream":
        return sse_response(sse("values", {"n": 1}))
    return httpx.Response(200, json={})


# Bug 6: `http://host/api?tenant=t1` used to become `/api?tenant=t1/threads/...`.


@pytest.mark.parametrize("url", ["http://h/api?tenant=t1", "http://h/api/?tenant=t1#frag"])
async def test_base_url_query_goes_on_every_request(mock: MockFactory, url: str) -> None:
    client, requests = mock(ok, url=url)
    await client.threads.get("T")
    await client.runs.list("T", limit=3)
    await client.health()
    await client.threads.search(metadata={"a": 1})
    async with client.runs.join_stream("T", "R", stream_mode="values") as stream:
        assert [p.data async for p in stream] == [{"n": 1}]
    paths = [r.url.path for r in requests]
    assert paths == [
        "/api/threads/T",
        "/api/threads/T/runs",
        "/api/ok",
        "/api/threads/search",
        "/api/threads/T/runs/R/stream",
    ]
    for request in requests:
        assert request.url.params.get_list("tenant") == ["t1"]
        assert "tenant" not in request.url.path
    assert requests[1].url.params["limit"] == "3"
    assert requests[4].url.params["stream_mode"] == "values"


async def test_a_call_parameter_of_the_same_name_wins(mock: MockFactory) -> None:
    client, requests = mock(ok, url="http://h/api?tenant=t1&x=1")
    await client.threads.get("T", params={"tenant": "t2"})
    assert requests[0].url.params.get_list("tenant") == ["t2"]
    assert requests[0].url.params["x"] == "1"


async def test_base_url_query_is_not_in_the_client_repr_url(mock: MockFactory) -> None:
    client, _ = mock(ok, url="http://h/api?tenant=t1")
    assert "url='http://h/api'" in repr(client)


# Bug 7: `with_options(headers={"x-api-key": ...})` used to be overridden by the client's key.


@pytest.mark.parametrize("name", ["x-api-key", "X-Api-Key", "X-API-KEY"])
async def test_with_options_key_replaces_the_clients_key(mock: MockFactory, name: str) -> None:
    client, requests = mock(ok, api_key=API_KEY)
    other = client.with_options(headers={name: OTHER_KEY})
    await other.health()
    async with other.runs.join_stream("T", "R") as stream:
        [p async for p in stream]
    await client.health()
    assert [r.headers.get_list("x-api-key") for r in requests] == [
        [OTHER_KEY],
        [OTHER_KEY],
        [API_KEY],  # the original keeps its own
    ]


async def test_with_options_can_set_a_key_on_a_client_without_one(mock: MockFactory) -> None:
    client, requests = mock(ok, api_key=None)
    await client.with_options(headers={"x-api-key": OTHER_KEY}).health()
    await client.health()
    assert requests[0].headers["x-api-key"] == OTHER_KEY
    assert "x-api-key" not in requests[1].headers


async def test_a_key_given_by_with_options_is_redacted_from_errors(mock: MockFactory) -> None:
    client, _ = mock(echo_key(400), api_key=API_KEY)
    with pytest.raises(BadRequestError) as info:
        await client.with_options(headers={"x-api-key": OTHER_KEY}).health()
    assert_no_key(info.value, OTHER_KEY)


def test_with_options_refuses_a_key_a_header_cannot_carry() -> None:
    from langgraph_client import get_client

    client = get_client(url="http://h", api_key=API_KEY)
    with pytest.raises(ValueError) as info:
        client.with_options(headers={"x-api-key": "sk-\nSECRET"})
    assert "SECRET" not in str(info.value)


# Bug 8: an echoed key was redacted in `str(exc)` but not in `exc.response.text` / `.content`.


def echo_key(status: int, *, gzipped: bool = False, header: bool = False) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers.get("x-api-key", "")
        body = json.dumps({"detail": f"bad request, x-api-key: {key}", "echo": key}).encode()
        headers = {"content-type": "application/json"}
        if header:
            headers["x-echo-key"] = key
        if gzipped:
            headers["content-encoding"] = "gzip"
            body = gzip.compress(body)
        return httpx.Response(status, content=body, headers=headers)

    return handler


def assert_no_key(exc: APIStatusError, key: str = API_KEY) -> None:
    response = exc.response
    exposed = [
        str(exc),
        repr(exc),
        exc.message,
        json.dumps(exc.body),
        response.text,
        repr(response.content),
        json.dumps(response.json()),
        repr(list(response.headers.items())),
        repr(response),
    ]
    for text in exposed:
        assert key not in text
    assert "[redacted]" in response.text


@pytest.mark.parametrize("status", [400, 401, 422, 500])
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("header", [False, True], ids=["body", "body+header"])
async def test_an_echoed_key_is_redacted_everywhere_the_error_exposes(
    mock: MockFactory, status: int, gzipped: bool, header: bool
) -> None:
    client, _ = mock(echo_key(status, gzipped=gzipped, header=header), api_key=API_KEY)
    with pytest.raises(APIStatusError) as info:
        await client.threads.get("T")
    assert info.value.status_code == status
    assert_no_key(info.value)
    assert info.value.body["echo"] == "[redacted]"  # the rest of the body is intact
    assert info.value.response.status_code == status
    assert info.value.response.request is info.value.request


async def test_an_error_without_the_key_keeps_its_response_as_is(mock: MockFactory) -> None:
    original: list[httpx.Response] = []

    def handler(request: httpx.Request) -> httpx.Response:
        original.append(httpx.Response(404, json={"detail": "Thread not found"}))
        return original[0]

    client, _ = mock(handler, api_key=API_KEY)
    with pytest.raises(APIStatusError) as info:
        await client.threads.get("T")
    assert info.value.response.json() == {"detail": "Thread not found"}
    assert info.value.response.headers["content-type"] == "application/json"
