"""Errors: one typed exception per status on every path, transport errors wrapped, the server's
own words in the message, run failures typed, and the API key never shown anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    InternalServerError,
    LangGraphError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RunFailedError,
    StreamPart,
    UnprocessableEntityError,
    get_client,
)

from .conftest import API_KEY, SSE_HEADERS, MockFactory, RecordingStream, sse, sse_response

pytestmark = pytest.mark.both_clients

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
]


async def _collect(stream: Any) -> list[StreamPart]:
    async with stream:
        return [part async for part in stream]


CALLS: dict[str, Callable[[Client], Awaitable[Any]]] = {
    "runs.get": lambda c: c.runs.get("t", "r"),
    "runs.wait": lambda c: c.runs.wait("t", "agent", input={}),
    "runs.wait_stateless": lambda c: c.runs.wait(None, "agent", input={}),
    "runs.join": lambda c: c.runs.join("t", "r"),
    "runs.stream": lambda c: _collect(c.runs.stream("t", "agent", input={})),
    "health": lambda c: c.health(),
}


# Status codes


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES, ids=[str(s) for s, _ in STATUS_CLASSES])
async def test_each_status_maps_to_its_class_on_every_path(
    mock: MockFactory, status: int, cls: type[APIStatusError], call: str
) -> None:
    detail = f"the server says no ({status})"
    client, requests = mock(
        lambda r: httpx.Response(
            status, json={"detail": detail}, headers={"x-request-id": "req-123"}
        ),
        api_key=API_KEY,
    )
    with pytest.raises(cls) as info:
        await CALLS[call](client)
    e = info.value
    assert type(e) is cls
    assert len(requests) == 1  # max_retries=0 in these clients: no retry hides the status
    assert e.status_code == status
    assert e.body == {"detail": detail}
    assert e.response.status_code == status
    assert e.request_id == "req-123"
    sent = requests[0]  # the request shown is a copy of the one sent, the key redacted
    assert (e.request.method, e.request.url, e.request.content) == (
        sent.method,
        sent.url,
        sent.content,
    )
    assert e.request.headers["x-api-key"] == "[redacted]"
    assert detail in str(e)
    assert str(status) in str(e)
    assert "req-123" in str(e)
    assert requests[0].url.path in str(e)
    assert API_KEY not in str(e) and API_KEY not in repr(e)


async def test_unlisted_status_is_the_base_status_error(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(418, json={"detail": "teapot"}))
    with pytest.raises(APIStatusError) as info:
        await client.runs.get("t", "r")
    assert type(info.value) is APIStatusError
    assert "teapot" in str(info.value)


@pytest.mark.parametrize("status", [504, 599])
async def test_any_5xx_is_an_internal_server_error(mock: MockFactory, status: int) -> None:
    client, _ = mock(lambda r: httpx.Response(status, text="down"))
    with pytest.raises(InternalServerError):
        await client.health()


async def test_422_validation_detail_list_is_in_the_message(mock: MockFactory) -> None:
    body = {"detail": [{"loc": ["body", "assistant_id"], "msg": "field required"}]}
    client, _ = mock(lambda r: httpx.Response(422, json=body))
    with pytest.raises(UnprocessableEntityError) as info:
        await client.runs.wait(None, "agent", input={})
    assert "field required" in str(info.value)
    assert "assistant_id" in str(info.value)
    assert info.value.body == body


@pytest.mark.parametrize("key", ["message", "error"])
async def test_message_or_error_key_is_used_when_there_is_no_detail(
    mock: MockFactory, key: str
) -> None:
    client, _ = mock(lambda r: httpx.Response(400, json={key: "bad thing", "other": 1}))
    with pytest.raises(BadRequestError, match="bad thing"):
        await client.health()


async def test_json_body_without_known_keys_is_shown_compactly(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(400, json={"reason": "quota"}))
    with pytest.raises(BadRequestError, match="quota"):
        await client.health()


async def test_html_502_page_gives_its_title_not_tags(mock: MockFactory) -> None:
    page = (
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    client, _ = mock(
        lambda r: httpx.Response(502, text=page, headers={"content-type": "text/html"})
    )
    with pytest.raises(InternalServerError) as info:
        await client.runs.get("t", "r")
    text = str(info.value)
    assert "502 Bad Gateway" in text
    assert "<" not in text and ">" not in text
    assert info.value.body is None  # not JSON
    assert info.value.response.text == page


async def test_html_page_without_title_gives_its_text(mock: MockFactory) -> None:
    page = (
        "<html><head><style>h1 {color: red}</style></head><body><h1>Upstream</h1>"
        "<p>connect <b>refused</b></p><script>var secret = 1;</script></body></html>"
    )
    client, _ = mock(lambda r: httpx.Response(503, text=page))
    with pytest.raises(InternalServerError) as info:
        await client.health()
    text = str(info.value)
    assert "Upstream connect refused" in text
    assert "<" not in text
    assert "color" not in text and "secret" not in text


async def test_plain_text_error_body_is_in_the_message(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(500, text="  something broke  "))
    with pytest.raises(InternalServerError, match="something broke"):
        await client.health()


async def test_empty_error_body_still_names_status_and_path(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(404))
    with pytest.raises(NotFoundError) as info:
        await client.runs.get("t-1", "r-1")
    assert str(info.value).startswith("404 Not Found")
    assert "/threads/t-1/runs/r-1" in str(info.value)
    assert info.value.body is None
    assert info.value.request_id is None


async def test_huge_text_error_body_is_cut_in_the_message(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(500, text="y" * 100_000))
    with pytest.raises(InternalServerError) as info:
        await client.health()
    assert "yyyy" in str(info.value)
    assert len(str(info.value)) < 5_000
    assert info.value.response.text == "y" * 100_000


async def test_huge_error_detail_is_cut_in_the_message_but_kept_on_body(
    mock: MockFactory,
) -> None:
    detail = "x" * 100_000
    client, _ = mock(lambda r: httpx.Response(400, json={"detail": detail}))
    with pytest.raises(BadRequestError) as info:
        await client.health()
    assert len(str(info.value)) < 5_000
    assert info.value.body["detail"] == detail


async def test_error_response_is_closed(mock: MockFactory) -> None:
    body = RecordingStream([b'{"detail": "gone"}'])
    client, _ = mock(lambda r: httpx.Response(404, stream=body))
    with pytest.raises(NotFoundError):
        await client.runs.get("t", "r")
    assert body.closed


# Transport failures


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_connection_refused_is_api_connection_error() -> None:
    client = get_client(url=f"http://127.0.0.1:{_refused_port()}", api_key=API_KEY, max_retries=0)
    async with client:
        with pytest.raises(APIConnectionError) as info:
            await client.health()
    e = info.value
    assert not isinstance(e, APITimeoutError)
    assert isinstance(e.__cause__, httpx.ConnectError)
    assert "GET /ok" in str(e)
    assert API_KEY not in str(e) and API_KEY not in repr(e)


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError],
)
async def test_transport_errors_are_connection_errors(
    mock: MockFactory, exc: type[httpx.TransportError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("boom", request=request)

    client, _ = mock(handler)
    with pytest.raises(APIConnectionError) as info:
        await client.runs.get("t", "r")
    # Our class (by name), not a timeout, and also httpx's own class for the cause.
    assert type(info.value).__name__ == "APIConnectionError"
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value, exc)
    assert isinstance(info.value.__cause__, exc)
    assert info.value.request is not None


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.WriteTimeout, httpx.PoolTimeout]
)
@pytest.mark.parametrize("call", ["runs.get", "runs.wait", "runs.stream", "health"])
async def test_timeouts_are_api_timeout_errors(
    mock: MockFactory, exc: type[httpx.TimeoutException], call: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("timed out", request=request)

    client, _ = mock(handler)
    with pytest.raises(APITimeoutError) as info:
        await CALLS[call](client)
    assert isinstance(info.value, APIConnectionError)
    assert exc.__name__ in str(info.value)


async def test_connection_lost_while_reading_the_body(mock: MockFactory) -> None:
    body = RecordingStream([b'{"run_id": '], error=httpx.ReadError("reset"))
    client, _ = mock(lambda r: httpx.Response(200, stream=body))
    with pytest.raises(APIConnectionError):
        await client.runs.get("t", "r")
    assert body.closed


async def test_timeout_while_reading_a_stream(mock: MockFactory) -> None:
    body = RecordingStream([sse("metadata", {"run_id": "r"})], error=httpx.ReadTimeout("idle"))
    client, _ = mock(lambda r: sse_response(stream=body))
    parts = []
    with pytest.raises(APITimeoutError):
        async with client.runs.stream(None, "agent") as stream:
            async for part in stream:
                parts.append(part)
    assert [p.event for p in parts] == ["metadata"]
    assert body.closed


# Bodies that break the protocol


@pytest.mark.parametrize("body", [b'{"run_id": "r", "status": "pen', b"<html>oops</html>", b"nul"])
async def test_body_that_is_not_json_is_a_validation_error(mock: MockFactory, body: bytes) -> None:
    client, _ = mock(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "application/json"})
    )
    with pytest.raises(APIResponseValidationError) as info:
        await client.runs.get("t", "r")
    assert info.value.response is not None and info.value.response.status_code == 200
    assert "application/json" in str(info.value)
    assert body[:10].decode() in str(info.value)


async def test_wait_body_with_leading_heartbeat_newlines_is_fine(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(200, content=b"\n\n\n\n" + b'{"count": 1}'))
    assert await client.runs.wait(None, "agent", input={}) == {"count": 1}


@pytest.mark.parametrize("content_type", ["application/json", "text/html", None])
async def test_stream_with_the_wrong_content_type_is_a_validation_error(
    mock: MockFactory, content_type: str | None
) -> None:
    body = RecordingStream([b'{"detail": "not a stream"}'])
    headers = {"content-type": content_type} if content_type else {}
    client, _ = mock(lambda r: httpx.Response(200, headers=headers, stream=body))
    with pytest.raises(APIResponseValidationError, match="expected an event stream"):
        await _collect(client.runs.stream(None, "agent"))
    assert body.closed


async def test_stream_event_whose_data_is_not_json_is_a_validation_error(
    mock: MockFactory,
) -> None:
    client, _ = mock(
        lambda r: sse_response(sse("metadata", {"run_id": "r"}), sse("values", raw="{not json"))
    )
    parts = []
    with pytest.raises(APIResponseValidationError, match="not JSON") as info:
        async with client.runs.stream(None, "agent") as stream:
            async for part in stream:
                parts.append(part)
    assert [p.event for p in parts] == ["metadata"]
    assert info.value.response is not None


async def test_stream_with_invalid_utf8_event_name_is_a_validation_error(
    mock: MockFactory,
) -> None:
    client, _ = mock(lambda r: sse_response(b"event: \xff\ndata: 1\n\n"))
    with pytest.raises(APIResponseValidationError, match="malformed event stream"):
        await _collect(client.runs.stream(None, "agent"))


async def test_stream_with_absurd_retry_field_raises_nothing_untyped(mock: MockFactory) -> None:
    client, _ = mock(lambda r: sse_response(b"retry: " + b"1" * 5000 + b"\ndata: 1\n\n"))
    parts: list[StreamPart] = []
    with contextlib.suppress(LangGraphError):
        parts = await _collect(client.runs.stream(None, "agent"))
    assert parts in ([], [StreamPart("message", 1)])


def _gzip_labelled(body: bytes, content_type: str) -> Any:
    # A streamed body: httpx.Response(content=...) would decode it in the handler already.
    return lambda r: httpx.Response(
        200,
        headers={"content-type": content_type, "content-encoding": "gzip"},
        stream=RecordingStream([body]),
    )


async def test_undecodable_gzip_json_body_is_a_validation_error(mock: MockFactory) -> None:
    client, _ = mock(_gzip_labelled(b"not gzip", "application/json"))
    with pytest.raises(APIResponseValidationError):
        await client.runs.get("t", "r")


async def test_undecodable_gzip_wait_body_is_a_validation_error(mock: MockFactory) -> None:
    client, _ = mock(_gzip_labelled(b"not gzip", "application/json"))
    with pytest.raises(APIResponseValidationError):
        await client.runs.wait(None, "agent")


async def test_undecodable_gzip_error_body_keeps_the_status_error(mock: MockFactory) -> None:
    client, _ = mock(
        lambda r: httpx.Response(
            404, headers={"content-encoding": "gzip"}, stream=RecordingStream([b"not gzip"])
        )
    )
    with pytest.raises(NotFoundError):
        await client.runs.get("t", "r")


async def test_undecodable_gzip_stream_is_a_validation_error(mock: MockFactory) -> None:
    client, _ = mock(_gzip_labelled(b"not gzip", SSE_HEADERS["content-type"]))
    with pytest.raises(APIResponseValidationError):
        await _collect(client.runs.stream(None, "agent"))


async def test_valid_gzip_bodies_are_decoded(mock: MockFactory) -> None:
    # The control for the tests above: gzip itself works, for JSON and for streams.
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return _gzip_labelled(gzip.compress(sse("values", 1)), "text/event-stream")(request)
        return _gzip_labelled(gzip.compress(b'{"ok": true}'), "application/json")(request)

    client, _ = mock(handler)
    assert await client.health() == {"ok": True}
    assert await _collect(client.runs.stream(None, "agent")) == [StreamPart("values", 1)]


# Run failures


ERROR_BODY = {"__error__": {"error": "ValueError", "message": "graph exploded"}}


async def test_wait_raises_run_failed_error_with_ids(mock: MockFactory) -> None:
    client, _ = mock(
        lambda r: httpx.Response(
            200, json=ERROR_BODY, headers={"content-location": "/threads/T-1/runs/R-1"}
        )
    )
    with pytest.raises(RunFailedError) as info:
        await client.runs.wait(None, "agent", input={})
    e = info.value
    assert (e.error, e.message, e.run_id, e.thread_id) == (
        "ValueError",
        "graph exploded",
        "R-1",
        "T-1",
    )
    assert "ValueError: graph exploded" in str(e)
    assert "R-1" in str(e) and "T-1" in str(e)
    assert isinstance(e, LangGraphError) and not isinstance(e, APIError)


async def test_wait_without_content_location_still_raises(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(200, json=ERROR_BODY))
    with pytest.raises(RunFailedError) as info:
        await client.runs.wait("T", "agent")
    assert info.value.run_id is None
    assert info.value.message == "graph exploded"


async def test_wait_with_raise_error_false_returns_the_error_body(mock: MockFactory) -> None:
    client, _ = mock(
        lambda r: httpx.Response(200, json=ERROR_BODY, headers={"content-location": "/runs/R"})
    )
    assert await client.runs.wait(None, "agent", raise_error=False) == ERROR_BODY


async def test_wait_error_given_as_a_string(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(200, json={"__error__": "it broke"}))
    with pytest.raises(RunFailedError) as info:
        await client.runs.wait(None, "agent")
    assert info.value.message == "it broke"
    assert "it broke" in str(info.value)


async def test_wait_values_that_merely_mention_error_do_not_raise(mock: MockFactory) -> None:
    values = {"error": "ValueError", "messages": [{"content": "__error__"}]}
    client, _ = mock(lambda r: httpx.Response(200, json=values))
    assert await client.runs.wait(None, "agent") == values


async def test_join_raises_run_failed_error(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json=ERROR_BODY))
    with pytest.raises(RunFailedError) as info:
        await client.runs.join("T-9", "R-9")
    assert (info.value.run_id, info.value.thread_id) == ("R-9", "T-9")
    assert requests[0].url.path == "/threads/T-9/runs/R-9/join"
    assert await client.runs.join("T-9", "R-9", raise_error=False) == ERROR_BODY


def _error_stream(r: httpx.Request) -> httpx.Response:
    return sse_response(
        sse("metadata", {"run_id": "R-5", "attempt": 1}),
        sse("values", {"n": 1}),
        sse("error", {"error": "ValueError", "message": "bad node"}),
        headers={"content-location": "/threads/T-5/runs/R-5"},
    )


async def test_stream_error_event_raises_only_with_raise_error(mock: MockFactory) -> None:
    client, _ = mock(_error_stream)
    parts: list[StreamPart] = []
    with pytest.raises(RunFailedError) as info:
        async with client.runs.stream("T-5", "agent", raise_error=True) as stream:
            async for part in stream:
                parts.append(part)
    assert [p.event for p in parts] == ["metadata", "values"]
    e = info.value
    assert (e.error, e.message, e.run_id, e.thread_id) == ("ValueError", "bad node", "R-5", "T-5")


async def test_stream_error_event_is_a_part_by_default(mock: MockFactory) -> None:
    client, _ = mock(_error_stream)
    parts = await _collect(client.runs.stream("T-5", "agent"))
    assert parts[-1] == StreamPart("error", {"error": "ValueError", "message": "bad node"}, None)
    assert len(parts) == 3


# Credentials never shown


async def test_api_key_appears_in_no_message_repr_or_log(
    mock: MockFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from langgraph_client import _retry

    monkeypatch.setattr(_retry, "INITIAL_DELAY", 0.0)
    caplog.set_level(logging.DEBUG, logger="langgraph_client")
    caplog.set_level(logging.DEBUG, logger="httpx")
    responses = {
        "/ok": lambda r: httpx.Response(200, json={"ok": True}),
        "/threads/t/runs/404": lambda r: httpx.Response(404, json={"detail": "nope"}),
        "/threads/t/runs/503": lambda r: httpx.Response(503, text="busy"),
        "/threads/t/runs/bad": lambda r: httpx.Response(200, content=b"{"),
        "/threads/t/runs/redirect": lambda r: httpx.Response(
            307, headers={"location": "http://elsewhere.example/x"}
        ),
        "/runs/wait": lambda r: httpx.Response(200, json=ERROR_BODY),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in responses:
            return responses[request.url.path](request)
        if request.url.path.endswith("/stream"):
            return _error_stream(request)
        raise httpx.ConnectError("refused", request=request)

    client, requests = mock(handler, api_key=API_KEY, max_retries=1)
    failures: list[BaseException] = []
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: client.runs.get("t", "404"),
        lambda: client.runs.get("t", "503"),
        lambda: client.runs.get("t", "bad"),
        lambda: client.runs.get("t", "redirect"),
        lambda: client.runs.get("t", "refused"),
        lambda: client.runs.wait(None, "agent"),
        lambda: _collect(client.runs.stream("t", "agent", raise_error=True)),
    ]
    for call in calls:
        try:
            await call()
        except LangGraphError as exc:
            failures.append(exc)
    assert len(failures) == len(calls)
    assert await client.health() == {"ok": True}
    assert all(r.headers.get("x-api-key") == API_KEY for r in requests)  # it was really used

    stream = client.runs.stream("t", "agent")
    texts = [repr(client), str(client), repr(stream)]
    for exc in failures:
        texts += [str(exc), repr(exc), str(exc.__cause__), repr(exc.__cause__)]
    texts += [record.getMessage() for record in caplog.records]
    assert any("retrying" in record.getMessage() for record in caplog.records)
    for text in texts:
        assert API_KEY not in text
    await stream.aclose()


async def test_credentials_in_the_url_are_not_in_the_client_repr() -> None:
    client = get_client(url="http://user:sk-SECRET-123@example.com", api_key=None)
    async with client:
        assert API_KEY not in repr(client)
        assert "example.com" in repr(client)


async def test_api_key_echoed_by_the_server_is_not_in_the_error(mock: MockFactory) -> None:
    # Some proxies and debug servers echo the request, headers included, in an error page.
    def echo(request: httpx.Request) -> httpx.Response:
        headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
        return httpx.Response(400, json={"detail": f"bad request with headers {headers}"})

    client, _ = mock(echo, api_key=API_KEY)
    with pytest.raises(BadRequestError) as info:
        await client.runs.get("t", "r")
    assert "bad request with headers" in str(info.value)
    assert API_KEY not in str(info.value) and API_KEY not in repr(info.value)
    assert API_KEY not in json.dumps(info.value.body)


@pytest.fixture
async def tiny_server() -> AsyncIterator[str]:
    """A real HTTP/1.1 socket on 127.0.0.1 answering `{}` (MockTransport does not validate
    header values; httpcore/h11 do, and their messages quote the bad value)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
        writer.write(b"content-length: 2\r\nconnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def test_tiny_server_works(tiny_server: str) -> None:
    async with get_client(url=tiny_server, api_key=API_KEY, max_retries=0) as client:
        assert await client.health() == {}


def _chain(exc: BaseException | None) -> list[BaseException]:
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


@pytest.mark.parametrize(
    "key",
    [API_KEY + "\nX-Injected: 1", API_KEY + "\u200b", "x\r" + API_KEY],
    ids=["lf", "zwsp", "cr"],
)
async def test_malformed_api_key_never_appears_in_errors(tiny_server: str, key: str) -> None:
    raised: BaseException | None = None
    try:
        async with get_client(url=tiny_server, api_key=key, max_retries=0) as client:
            await client.health()
    except Exception as exc:
        raised = exc
    assert raised is not None, "a key that cannot be sent as a header was sent"
    for exc in _chain(raised):
        for text in (str(exc), repr(exc), repr(exc.args)):
            assert API_KEY not in text, f"{type(exc).__name__} shows the key"


def test_debug_logging_switch_logs_requests_but_never_the_key() -> None:
    script = f"""
import asyncio, httpx, langgraph_client
def handler(request):
    if request.url.path == "/ok":
        return httpx.Response(200, json={{}})
    return httpx.Response(503, json={{"detail": "busy"}})
async def main():
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = langgraph_client.get_client(
        url="http://testserver", api_key={API_KEY!r}, max_retries=1, http_client=http
    )
    langgraph_client._retry.INITIAL_DELAY = 0.0
    await client.health()
    try:
        await client.runs.get("t", "r")
    except langgraph_client.InternalServerError:
        pass
asyncio.run(main())
"""
    env = {**os.environ, "LANGGRAPH_CLIENT_LOG": "debug"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "GET /ok -> 200" in out.stderr
    assert "retrying GET /threads/t/runs/r" in out.stderr
    assert API_KEY not in out.stderr + out.stdout
