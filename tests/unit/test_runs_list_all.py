"""`runs.list_all`: every run of a thread, page by page."""

from __future__ import annotations

import httpx
import pytest

from .conftest import MockFactory

pytestmark = pytest.mark.both_clients


async def test_list_all_pages_until_a_short_page(mock: MockFactory) -> None:
    runs = [{"run_id": f"r{i}"} for i in range(7)]

    def handler(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        return httpx.Response(200, json=runs[offset : offset + limit])

    client, requests = mock(handler)
    got = [run["run_id"] async for run in client.runs.list_all("t/1", page_size=3)]
    assert got == [r["run_id"] for r in runs]
    assert [(r.url.params["offset"], r.url.params["limit"]) for r in requests] == [
        ("0", "3"),
        ("3", "3"),
        ("6", "3"),
    ]
    assert all(r.url.raw_path.startswith(b"/threads/t%2F1/runs?") for r in requests)


async def test_list_all_honours_max_items_and_status(mock: MockFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        return httpx.Response(200, json=[{"run_id": "r"}] * limit)

    client, requests = mock(handler)
    got = [run async for run in client.runs.list_all("t", status="success", max_items=5)]
    assert len(got) == 5
    assert len(requests) == 1 and requests[0].url.params["status"] == "success"


async def test_list_all_missing_thread_fails_before_any_request(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json=[]))
    with pytest.raises(ValueError):
        client.runs.list_all("")
    assert requests == []
