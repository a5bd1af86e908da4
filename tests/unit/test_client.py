"""The client: API key resolution, headers, base URL, timeouts, pool ownership, redirects."""

from __future__ import annotations

import httpx
import pytest

from langgraph_client import APIStatusError, __version__, get_client
from langgraph_client._config import DEFAULT_URL
from langgraph_client._config import resolve_api_key as _resolve_api_key
from langgraph_client._http import NOT_GIVEN

from .conftest import API_KEY, BASE_URL, MockFactory, json_body, sse, sse_response

pytestmark = pytest.mark.both_clients

ENV = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


# API key


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"LANGCHAIN_API_KEY": "c"}, "c"),
        ({"LANGSMITH_API_KEY": "s", "LANGCHAIN_API_KEY": "c"}, "s"),
        ({"LANGGRAPH_API_KEY": "g", "LANGSMITH_API_KEY": "s", "LANGCHAIN_API_KEY": "c"}, "g"),
        ({"LANGGRAPH_API_KEY": "", "LANGSMITH_API_KEY": "s"}, "s"),
        ({"LANGGRAPH_API_KEY": "   ", "LANGSMITH_API_KEY": "", "LANGCHAIN_API_KEY": "c"}, "c"),
        ({"LANGGRAPH_API_KEY": " g\n"}, "g"),
    ],
)
def test_api_key_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str | None
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _resolve_api_key(NOT_GIVEN) == expected


def test_explicit_key_wins_and_explicit_none_reads_no_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ENV:
        monkeypatch.setenv(name, f"env-{name}")
    assert _resolve_api_key("explicit") == "explicit"
    assert _resolve_api_key(None) is None
    assert _resolve_api_key(NOT_GIVEN) == "env-LANGGRAPH_API_KEY"


async def test_key_is_sent_as_x_api_key(mock: MockFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGSMITH_API_KEY", "from-env")
    monkeypatch.delenv("LANGGRAPH_API_KEY", raising=False)
    explicit, r1 = mock(ok, api_key=API_KEY)
    from_env, r2 = mock(ok, api_key=NOT_GIVEN)
    none, r3 = mock(ok, api_key=None)
    for client in (explicit, from_env, none):
        await client.health()
    assert r1[0].headers["x-api-key"] == API_KEY
    assert r2[0].headers["x-api-key"] == "from-env"
    assert "x-api-key" not in r3[0].headers
    assert "authorization" not in r1[0].headers


async def test_get_client_reads_the_environment_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGGRAPH_API_KEY", "env-key")
    client = get_client()
    assert client._http.build_request("GET", "/ok").headers["x-api-key"] == "env-key"
    await client.aclose()


async def test_empty_explicit_key_sends_none(mock: MockFactory, clean_env: None) -> None:
    client, requests = mock(ok, api_key="")
    await client.health()
    assert "x-api-key" not in requests[0].headers


# Headers


async def test_user_agent(mock: MockFactory) -> None:
    client, requests = mock(ok)
    await client.health()
    assert requests[0].headers["user-agent"].startswith(f"langgraph-client/{__version__}")
    assert __version__ and __version__[0].isdigit()


async def test_client_and_call_headers_are_merged_call_wins(mock: MockFactory) -> None:
    client, requests = mock(ok, headers={"x-tenant": "a", "x-trace": "client"}, api_key=API_KEY)
    await client.runs.get("t", "r", headers={"x-trace": "call", "x-extra": "1"})
    await client.runs.get("t", "r")
    first, second = requests
    assert first.headers["x-tenant"] == "a"
    assert first.headers.get_list("x-trace") == ["call"]
    assert first.headers["x-extra"] == "1"
    assert first.headers["x-api-key"] == API_KEY
    assert second.headers["x-trace"] == "client"
    assert "x-extra" not in second.headers


async def test_call_headers_can_replace_the_api_key(mock: MockFactory) -> None:
    # A per-request credential (token refresh) overrides the client's.
    client, requests = mock(ok, api_key=API_KEY)
    await client.runs.get("t", "r", headers={"x-api-key": "rotated"})
    assert requests[0].headers.get_list("x-api-key") == ["rotated"]


HEADER_CASE_BUG = (
    "BUG: _http.AsyncHttpClient merges headers in a plain dict, so names differing only in "
    "case are both sent (two x-api-keys, two user-agents) instead of the call's one winning"
)


async def test_header_override_is_case_insensitive(mock: MockFactory) -> None:
    client, requests = mock(ok, headers={"X-Trace": "client"}, api_key=API_KEY)
    await client.runs.get("t", "r", headers={"x-trace": "call", "X-Api-Key": "rotated"})
    assert requests[0].headers.get_list("x-trace") == ["call"]
    assert requests[0].headers.get_list("x-api-key") == ["rotated"]


async def test_user_agent_can_be_replaced(mock: MockFactory) -> None:
    client, requests = mock(ok, headers={"User-Agent": "my-app/1.0"})
    await client.health()
    assert requests[0].headers.get_list("user-agent") == ["my-app/1.0"]


async def test_json_calls_send_content_type_and_streams_accept_sse(mock: MockFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return sse_response(sse("end"))
        return httpx.Response(200, json={})

    client, requests = mock(handler)
    await client.runs.wait(None, "agent")
    async with client.runs.stream(None, "agent") as stream:
        [part async for part in stream]
    wait, stream_request = requests
    assert wait.headers["content-type"] == "application/json"
    assert stream_request.headers["accept"] == "text/event-stream"
    assert stream_request.headers["cache-control"] == "no-store"


async def test_get_without_body_has_no_content_type(mock: MockFactory) -> None:
    client, requests = mock(ok)
    await client.health()
    assert "content-type" not in requests[0].headers
    assert requests[0].content == b""


async def test_params_drop_none_and_lower_booleans(mock: MockFactory) -> None:
    client, requests = mock(ok)
    await client.runs.get("t", "r", params={"a": True, "b": False, "c": None, "d": 3})
    assert dict(requests[0].url.params) == {"a": "true", "b": "false", "d": "3"}


# Base URL


async def test_default_url() -> None:
    assert DEFAULT_URL == "http://localhost:8123"
    client = get_client(api_key=None)
    assert str(client._http.build_request("GET", "/ok").url) == "http://localhost:8123/ok"
    await client.aclose()


@pytest.mark.parametrize("url", ["http://h/api", "http://h/api/", "http://h/api//"])
async def test_url_path_prefix_is_kept(mock: MockFactory, url: str) -> None:
    client, requests = mock(ok, url=url)
    await client.runs.get("t", "r")
    await client.health()
    assert [r.url.raw_path for r in requests] == [b"/api/threads/t/runs/r", b"/api/ok"]
    assert requests[0].url.host == "h"


async def test_url_with_port_and_https(mock: MockFactory) -> None:
    client, requests = mock(ok, url="https://example.com:8443")
    await client.health()
    assert str(requests[0].url) == "https://example.com:8443/ok"


@pytest.mark.parametrize("url", ["localhost:8123", "ftp://h", "http://", "/just/a/path"])
def test_bad_url_is_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="url"):
        get_client(url=url, api_key=None)


def test_negative_max_retries_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        get_client(api_key=None, max_retries=-1)


async def test_repr_shows_url_and_whether_a_key_is_set(mock: MockFactory, flavour: str) -> None:
    with_key, _ = mock(ok, api_key=API_KEY)
    without, _ = mock(ok)
    name = "Client" if flavour == "async" else "SyncClient"
    assert repr(with_key) == f"<{name} url='{BASE_URL}' api_key=set>"
    assert repr(without) == f"<{name} url='{BASE_URL}' api_key=none>"


# Timeouts


def timeout_of(request: httpx.Request) -> dict[str, float | None]:
    return dict(request.extensions["timeout"])


async def test_default_timeouts(mock: MockFactory) -> None:
    client, requests = mock(ok)
    await client.health()
    assert timeout_of(requests[0]) == {"connect": 5.0, "read": 300.0, "write": 300.0, "pool": 60.0}


async def test_client_and_per_call_timeout(mock: MockFactory) -> None:
    client, requests = mock(ok, timeout=30)
    await client.health()
    await client.health(timeout=2.5)
    await client.runs.get("t", "r", timeout=httpx.Timeout(1.0, read=7.0))
    await client.runs.get("t", "r", timeout=None)
    await client.runs.get("t", "r")
    assert [timeout_of(r) for r in requests] == [
        dict.fromkeys(("connect", "read", "write", "pool"), 30.0),
        dict.fromkeys(("connect", "read", "write", "pool"), 2.5),
        {"connect": 1.0, "read": 7.0, "write": 1.0, "pool": 1.0},
        dict.fromkeys(("connect", "read", "write", "pool")),
        dict.fromkeys(("connect", "read", "write", "pool"), 30.0),
    ]


def _stream_handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/ok":
        return ok(request)
    return sse_response(sse("end"))


async def _drain(stream: object) -> None:
    async with stream as s:  # type: ignore[attr-defined]
        async for _ in s:
            pass


async def test_streams_use_the_idle_timeout_as_read_timeout(mock: MockFactory) -> None:
    client, requests = mock(_stream_handler)
    await _drain(client.runs.stream(None, "agent"))
    await _drain(client.runs.stream(None, "agent", timeout=10))  # shorter than idle: kept
    await _drain(client.runs.stream(None, "agent", timeout=None))
    await _drain(client.runs.join_stream("t", "r"))
    assert [timeout_of(r) for r in requests] == [
        {"connect": 5.0, "read": 60.0, "write": 300.0, "pool": 60.0},
        {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0},
        {"connect": None, "read": 60.0, "write": None, "pool": None},
        {"connect": 5.0, "read": 60.0, "write": 300.0, "pool": 60.0},
    ]


async def test_stream_idle_timeout_setting(mock: MockFactory) -> None:
    short, r1 = mock(_stream_handler, stream_idle_timeout=5)
    off, r2 = mock(_stream_handler, stream_idle_timeout=None)
    await _drain(short.runs.stream(None, "agent"))
    await _drain(off.runs.stream(None, "agent"))
    assert timeout_of(r1[0])["read"] == 5
    assert timeout_of(r2[0])["read"] == 300.0
    # Non-stream calls are not affected by the idle budget.
    await short.health()
    assert timeout_of(r1[1])["read"] == 300.0


# Pool ownership


async def test_async_with_closes_the_pool_it_owns() -> None:
    client = get_client(url=BASE_URL, api_key=None)
    async with client as entered:
        assert entered is client
        assert not client._http._client.is_closed
    assert client._http._client.is_closed


async def test_a_user_http_client_is_left_open() -> None:
    mine = httpx.AsyncClient(transport=httpx.MockTransport(ok))
    async with get_client(url=BASE_URL, api_key=None, http_client=mine) as client:
        assert await client.health() == {"ok": True}
    assert not mine.is_closed
    assert (await mine.get(f"{BASE_URL}/ok")).json() == {"ok": True}
    await mine.aclose()


async def test_user_http_client_is_used_for_requests() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as mine:
        client = get_client(url=BASE_URL, api_key=None, http_client=mine)
        await client.health()
    assert len(seen) == 1


def test_default_pool_is_larger_than_httpx_default() -> None:
    client = get_client(api_key=None)
    pool = client._http._client._transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections >= 1000


# Redirects


async def test_cross_origin_redirect_is_refused_and_never_followed(mock: MockFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host != "testserver":
            raise AssertionError(f"request sent to another origin: {request.url}")
        return httpx.Response(307, headers={"location": "http://other/runs/wait"})

    client, requests = mock(handler, api_key=API_KEY)
    with pytest.raises(APIStatusError) as info:
        await client.runs.wait(None, "agent", input={})
    assert [r.url.host for r in requests] == ["testserver"]
    assert info.value.status_code == 307
    assert "another origin" in str(info.value)
    assert API_KEY not in str(info.value)


@pytest.mark.parametrize(
    "location",
    [
        "https://testserver/ok",
        "http://testserver:8080/ok",
        "//other/ok",
        "http://testserver.evil/ok",
    ],
)
async def test_scheme_port_and_host_changes_are_other_origins(
    mock: MockFactory, location: str
) -> None:
    client, requests = mock(
        lambda r: httpx.Response(302, headers={"location": location}), api_key=API_KEY
    )
    with pytest.raises(APIStatusError):
        await client.health()
    assert len(requests) == 1


async def test_same_origin_307_is_followed_with_method_body_and_key(mock: MockFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/runs/wait":
            return httpx.Response(307, headers={"location": "/v2/runs/wait?x=1"})
        return httpx.Response(200, json={"done": True})

    client, requests = mock(handler, api_key=API_KEY)
    assert await client.runs.wait(None, "agent", input={"q": 1}) == {"done": True}
    first, second = requests
    assert second.method == "POST"
    assert second.url.path == "/v2/runs/wait" and second.url.params["x"] == "1"
    assert json_body(second) == json_body(first) == {"assistant_id": "agent", "input": {"q": 1}}
    assert second.headers["x-api-key"] == API_KEY
    assert second.extensions["timeout"] == first.extensions["timeout"]


async def test_same_origin_308_on_a_stream_is_followed(mock: MockFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/runs/stream":
            return httpx.Response(308, headers={"location": f"{BASE_URL}/moved/stream"})
        return sse_response(sse("values", {"n": 1}))

    client, requests = mock(handler)
    async with client.runs.stream(None, "agent") as stream:
        parts = [p async for p in stream]
    assert [p.data for p in parts] == [{"n": 1}]
    assert [r.method for r in requests] == ["POST", "POST"]
    assert requests[1].content == requests[0].content


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_redirect_that_would_turn_a_post_into_a_get_is_refused(
    mock: MockFactory, status: int
) -> None:
    client, requests = mock(lambda r: httpx.Response(status, headers={"location": "/elsewhere"}))
    with pytest.raises(APIStatusError) as info:
        await client.runs.wait(None, "agent")
    assert info.value.status_code == status
    assert len(requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_same_origin_redirect_of_a_get_is_followed(mock: MockFactory, status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ok":
            return httpx.Response(status, headers={"location": "/healthz"})
        return httpx.Response(200, json={"ok": 1})

    client, requests = mock(handler)
    assert await client.health() == {"ok": 1}
    assert [r.url.path for r in requests] == ["/ok", "/healthz"]


async def test_redirect_loop_ends_with_an_error(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(302, headers={"location": "/ok"}))
    with pytest.raises(APIStatusError):
        await client.health()
    assert 2 <= len(requests) <= 10


async def test_redirect_without_location_is_an_error(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(307))
    with pytest.raises(APIStatusError, match="Location"):
        await client.health()
    assert len(requests) == 1


# Convenience calls


async def test_health_and_info(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json={"path": r.url.path}))
    assert await client.health() == {"path": "/ok"}
    assert await client.info() == {"path": "/info"}
    assert [r.method for r in requests] == ["GET", "GET"]


# with_options


async def test_with_options_changes_defaults_for_the_copy_only(mock: MockFactory) -> None:
    client, requests = mock(ok, headers={"x-a": "1"}, api_key=API_KEY)
    copy = client.with_options(timeout=7, headers={"x-b": "2"})
    await copy.health()
    await client.health()
    via_copy, via_original = requests
    assert timeout_of(via_copy) == dict.fromkeys(("connect", "read", "write", "pool"), 7.0)
    assert (via_copy.headers["x-a"], via_copy.headers["x-b"]) == ("1", "2")
    assert via_copy.headers["x-api-key"] == API_KEY
    assert timeout_of(via_original)["read"] == 300.0
    assert "x-b" not in via_original.headers


async def test_closing_a_copy_leaves_the_pool_open() -> None:
    client = get_client(url=BASE_URL, api_key=None)
    copy = client.with_options(max_retries=0)
    assert copy._http._client is client._http._client  # one pool
    await copy.aclose()
    assert not client._http._client.is_closed
    await client.aclose()
    assert client._http._client.is_closed


def test_with_options_rejects_negative_retries() -> None:
    with pytest.raises(ValueError):
        get_client(api_key=None).with_options(max_retries=-1)


async def test_with_options_header_override_is_case_insensitive(mock: MockFactory) -> None:
    client, requests = mock(ok, headers={"X-Tenant": "a"})
    await client.with_options(headers={"x-tenant": "b"}).health()
    assert requests[0].headers.get_list("x-tenant") == ["b"]
