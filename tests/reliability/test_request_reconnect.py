"""`client.http.request_reconnect` (the official SDK's low-level call): an answer that breaks off
is fetched again from the response's `Location`, within the retry policy, never from another
origin. The fault server's request log is the witness."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from langgraph_client import APIConnectionError, Client
from tests.faultserver import FaultServer, json_response, wait_response

from .conftest import API_KEY

pytestmark = [pytest.mark.timeout(20), pytest.mark.both_clients]

WAIT = "/threads/T/runs/wait"
JOIN = "/threads/T/runs/R/join"
BODY = {"pad": "p" * 400}
FINAL = {"messages": ["done"]}


def broken_wait(location: str) -> object:
    return wait_response(
        BODY, content_location="/threads/T/runs/R", location=location, truncate=25, end="reset"
    )


async def test_broken_answer_is_fetched_from_location(fs: FaultServer, client: Client) -> None:
    fs.route("POST", WAIT, broken_wait(JOIN))
    fs.route("GET", JOIN, json_response(503, {"detail": "restarting"}), json_response(200, FINAL))
    result = await asyncio.wait_for(
        client.http.request_reconnect(WAIT, "POST", json={"assistant_id": "agent"}), 10
    )
    assert result == FINAL
    assert [(r.method, r.path) for r in fs.requests] == [
        ("POST", WAIT),
        ("GET", JOIN),
        ("GET", JOIN),
    ]
    assert fs.last("GET", JOIN).header("x-api-key") == API_KEY


async def test_whole_answer_needs_no_reconnect(fs: FaultServer, client: Client) -> None:
    fs.route("POST", WAIT, wait_response(FINAL, location=JOIN))
    assert await client.http.request_reconnect(WAIT, "POST", json={}) == FINAL
    assert fs.count("GET", JOIN) == 0


async def test_location_on_another_origin_is_never_followed(
    fs: FaultServer, other: FaultServer, client: Client
) -> None:
    fs.route("POST", WAIT, broken_wait(f"{other.url}{JOIN}"))
    with pytest.raises(APIConnectionError):
        await client.http.request_reconnect(WAIT, "POST", json={})
    assert other.count() == 0


async def test_absolute_location_on_the_same_origin_is_followed(
    fs: FaultServer, client: Client
) -> None:
    fs.route("POST", WAIT, broken_wait(f"{fs.url}{JOIN}"))
    fs.route("GET", JOIN, json_response(200, FINAL))
    assert await client.http.request_reconnect(WAIT, "POST", json={}) == FINAL


async def test_reconnect_limit_zero_raises(fs: FaultServer, client: Client) -> None:
    fs.route("POST", WAIT, broken_wait(JOIN))
    with pytest.raises(httpx.TransportError):  # an APIConnectionError, also httpx's class
        await client.http.request_reconnect(WAIT, "POST", json={}, reconnect_limit=0)
    assert fs.count("GET", JOIN) == 0
