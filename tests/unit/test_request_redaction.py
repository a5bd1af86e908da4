"""The request an exception carries (`exc.request`, `exc.response.request`) shows the API key as
`[redacted]`, in `x-api-key` and in any header the caller gave the key's value, while the wire
still gets the key."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    APIError,
    InternalServerError,
    NotFoundError,
)

from .conftest import API_KEY, SSE_HEADERS, MockFactory, RecordingStream, sse

pytestmark = pytest.mark.both_clients

CUSTOM = {"x-auth": API_KEY, "x-bearer": f"Bearer {API_KEY}", "x-other": "visible"}


def _handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/404"):
        return httpx.Response(404, json={"detail": "no such run"})
    if path.endswith("/500"):
        return httpx.Response(500, text="boom")
    if path.endswith("/stream"):
        broken = RecordingStream([sse("metadata", {"run_id": "R"})], error=httpx.ReadError("reset"))
        return httpx.Response(200, headers=SSE_HEADERS, stream=broken)
    raise httpx.ConnectError("refused", request=request)


async def _consume(stream: Any) -> None:
    async with stream as parts:
        async for _ in parts:
            pass


def _assert_redacted(request: httpx.Request) -> None:
    assert request.headers["x-api-key"] == "[redacted]"
    assert request.headers["x-auth"] == "[redacted]"
    assert request.headers["x-bearer"] == "[redacted]"
    assert request.headers["x-other"] == "visible"  # other headers are left as sent
    for text in (repr(request.headers), str(dict(request.headers)), str(request.headers.raw)):
        assert API_KEY not in text


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (lambda c: c.runs.get("t", "404"), NotFoundError),
        (lambda c: c.runs.get("t", "500"), InternalServerError),
        (lambda c: c.runs.get("t", "refused"), httpx.ConnectError),
        (lambda c: _consume(c.runs.stream("t", "agent")), APIConnectionError),
    ],
    ids=["404", "500", "connect", "stream"],
)
async def test_the_request_on_an_error_reads_the_key_as_redacted(
    mock: MockFactory, call: Any, kind: type[BaseException]
) -> None:
    client, requests = mock(_handler, api_key=API_KEY, headers=CUSTOM)
    with pytest.raises(kind) as info:
        await call(client)
    exc = info.value
    assert isinstance(exc, APIError)
    assert exc.request is not None
    _assert_redacted(exc.request)
    response = getattr(exc, "response", None)
    if response is not None:
        _assert_redacted(response.request)
    if isinstance(exc, httpx.HTTPStatusError):  # httpx's view of it too
        _assert_redacted(exc.request)
    if isinstance(exc, APIConnectionError):
        assert isinstance(exc, httpx.TransportError)
        assert isinstance(exc.__cause__, httpx.TransportError)  # httpx's own, in the traceback
        _assert_redacted(exc.__cause__.request)
    # What went on the wire is untouched.
    assert requests and all(r.headers["x-api-key"] == API_KEY for r in requests)
    assert all(r.headers["x-auth"] == API_KEY for r in requests)
