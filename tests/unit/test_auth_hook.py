"""Headers that change per request (token refresh) through the user's own httpx client's `auth`."""

from __future__ import annotations

from collections.abc import Generator

import httpx
import pytest

from langgraph_client import get_client

pytestmark = pytest.mark.both_clients


class RefreshingToken(httpx.Auth):
    def __init__(self) -> None:
        self.issued = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.issued += 1
        request.headers["authorization"] = f"Bearer token-{self.issued}"
        yield request


async def test_auth_of_a_passed_http_client_runs_for_every_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    auth = RefreshingToken()
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth)
    client = get_client(url="http://test", api_key="k", http_client=http_client)
    await client.health()
    await client.runs.get("t", "r")
    assert [r.headers["authorization"] for r in seen] == ["Bearer token-1", "Bearer token-2"]
    assert all(r.headers["x-api-key"] == "k" for r in seen)  # our headers are still sent
    await client.aclose()
    assert not http_client.is_closed  # the caller's client stays open
    await http_client.aclose()
