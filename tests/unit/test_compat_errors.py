"""Errors catchable the way code written for the official SDK catches them: httpx's own transport
classes, and the JSON error body's `code`, `param` and `type` as attributes."""

from __future__ import annotations

import pickle

import httpx
import pytest

from langgraph_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    NotFoundError,
    StreamLostError,
)

from .conftest import MockFactory

pytestmark = pytest.mark.both_clients

TRANSPORT_ERRORS = [
    httpx.ConnectError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.CloseError,
    httpx.RemoteProtocolError,
    httpx.LocalProtocolError,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
]
TIMEOUTS = [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout]


def _raising(exc_type: type[httpx.TransportError]) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("broken", request=request)

    return handler


@pytest.mark.parametrize("exc_type", TRANSPORT_ERRORS)
async def test_connection_errors_are_also_httpx_class_of_their_cause(
    mock: MockFactory, exc_type: type[httpx.TransportError]
) -> None:
    client, _ = mock(_raising(exc_type))
    with pytest.raises(exc_type) as caught:
        await client.health()
    error = caught.value
    assert isinstance(error, APIConnectionError)
    assert isinstance(error, httpx.TransportError)
    assert not isinstance(error, APITimeoutError)
    assert type(error).__name__ == "APIConnectionError"
    assert error.request is not None and error.request.url.path == "/ok"


@pytest.mark.parametrize("exc_type", TIMEOUTS)
async def test_timeouts_are_also_httpx_timeouts_of_their_phase(
    mock: MockFactory, exc_type: type[httpx.TimeoutException]
) -> None:
    client, _ = mock(_raising(exc_type))
    with pytest.raises(httpx.TimeoutException) as caught:
        await client.health()
    error = caught.value
    assert isinstance(error, exc_type)
    assert isinstance(error, APITimeoutError)
    assert isinstance(error, APIConnectionError)
    assert type(error).__name__ == "APITimeoutError"
    # A timeout is not some other kind of transport failure.
    assert not isinstance(error, httpx.NetworkError)


async def test_except_httpx_connect_error_catches_a_refused_connection() -> None:
    import socket

    from langgraph_client import get_client

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        async with get_client(url=f"http://127.0.0.1:{port}", api_key=None, max_retries=0) as c:
            with pytest.raises(httpx.ConnectError):
                await c.health()


def test_errors_made_without_a_request_say_none_instead_of_raising() -> None:
    assert APIConnectionError("x").request is None
    lost = StreamLostError("lost")
    assert isinstance(lost, httpx.TransportError)
    assert lost.request is None


def test_one_class_per_httpx_cause() -> None:
    from langgraph_client._exceptions import transport_error

    request = httpx.Request("GET", "http://x/ok")
    a = transport_error(httpx.ReadError("a"), request)
    b = transport_error(httpx.ReadError("b"), request)
    assert type(a) is type(b)
    assert type(a) is not type(transport_error(httpx.WriteError("c"), request))


async def test_status_error_exposes_code_param_and_type(mock: MockFactory) -> None:
    body = {"detail": "nope", "code": "thread_missing", "param": "thread_id", "type": "not_found"}
    client, _ = mock(lambda r: httpx.Response(404, json=body))
    with pytest.raises(NotFoundError) as caught:
        await client.threads.get("00000000-0000-0000-0000-000000000000")
    error = caught.value
    assert (error.code, error.param, error.type) == ("thread_missing", "thread_id", "not_found")
    assert isinstance(error, httpx.HTTPStatusError)


@pytest.mark.parametrize(
    "body",
    [{"detail": "x"}, {"code": 7, "param": ["a"], "type": None}, ["code"], "code", None],
)
async def test_status_error_fields_are_none_unless_strings(mock: MockFactory, body: object) -> None:
    client, _ = mock(lambda r: httpx.Response(400, json=body))
    with pytest.raises(APIStatusError) as caught:
        await client.health()
    assert (caught.value.code, caught.value.param, caught.value.type) == (None, None, None)


@pytest.mark.parametrize("cause", [None, httpx.ReadError("r"), httpx.ReadTimeout("t")])
def test_connection_errors_pickle(cause: httpx.TransportError | None) -> None:
    # An error crossing a process boundary keeps its class, its httpx class and its words.
    from langgraph_client._exceptions import transport_error

    error = (
        APIConnectionError("connection error: x") if cause is None else transport_error(cause, None)
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
