"""Auto-pagination: the generic `Paginator`, and each resource's `search_all` over a fake server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from langgraph_client import get_client
from langgraph_client._pagination import MAX_PAGE_SIZE, Paginator

pytestmark = pytest.mark.both_clients


class Pages:
    """A fake `fetch(limit, offset)` over `n` items that records every call."""

    def __init__(self, n: int, *, ignore_limit: bool = False) -> None:
        self.items = list(range(n))
        self.calls: list[tuple[int, int]] = []
        self.ignore_limit = ignore_limit

    async def __call__(self, limit: int, offset: int) -> Sequence[int]:
        self.calls.append((limit, offset))
        end = len(self.items) if self.ignore_limit else offset + limit
        return self.items[offset:end]


async def collect(pager: Paginator[Any]) -> list[Any]:
    return [item async for item in pager]


@pytest.mark.parametrize("n", [0, 1, 99, 100, 101, 250, 300])
async def test_yields_every_item_once_in_order(n: int) -> None:
    fetch = Pages(n)
    assert await collect(Paginator(fetch, page_size=100)) == list(range(n))
    offsets = [offset for _, offset in fetch.calls]
    assert offsets == sorted(set(offsets))  # strictly increasing
    # Stops on the first short page: a full last page costs exactly one extra (empty) request.
    assert len(fetch.calls) == n // 100 + 1


async def test_offsets_advance_by_page_size() -> None:
    fetch = Pages(25)
    assert await collect(Paginator(fetch, page_size=10)) == list(range(25))
    assert fetch.calls == [(10, 0), (10, 10), (10, 20)]


async def test_max_items_caps_results_and_the_last_request() -> None:
    fetch = Pages(1000)
    assert await collect(Paginator(fetch, page_size=100, max_items=150)) == list(range(150))
    assert fetch.calls == [(100, 0), (50, 100)]


async def test_max_items_on_a_page_boundary_makes_no_extra_request() -> None:
    fetch = Pages(1000)
    assert len(await collect(Paginator(fetch, page_size=50, max_items=100))) == 100
    assert fetch.calls == [(50, 0), (50, 50)]


async def test_max_items_zero_sends_nothing() -> None:
    fetch = Pages(10)
    assert await collect(Paginator(fetch, max_items=0)) == []
    assert fetch.calls == []


async def test_fewer_items_than_max_items() -> None:
    fetch = Pages(7)
    assert await collect(Paginator(fetch, page_size=5, max_items=100)) == list(range(7))
    assert fetch.calls == [(5, 0), (5, 5)]


async def test_a_server_that_ignores_limit_is_cut_to_the_page() -> None:
    fetch = Pages(25, ignore_limit=True)
    assert await collect(Paginator(fetch, page_size=10, max_items=15)) == list(range(15))
    assert fetch.calls == [(10, 0), (5, 10)]


async def test_breaking_early_fetches_no_more_pages() -> None:
    fetch = Pages(1000)
    pager = Paginator(fetch, page_size=10)
    async for item in pager:
        if item == 3:
            break
    assert fetch.calls == [(10, 0)]
    assert pager.pages == 1
    # The rest is still there for a later loop: nothing was closed.
    assert [item async for item in pager][:2] == [4, 5]


async def test_exhausted_pager_stays_exhausted() -> None:
    fetch = Pages(3)
    pager = Paginator(fetch, page_size=10)
    assert await collect(pager) == [0, 1, 2]
    assert await collect(pager) == []
    assert len(fetch.calls) == 1


@pytest.mark.parametrize("page_size", [0, -1, MAX_PAGE_SIZE + 1])
def test_page_size_is_bounded(page_size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        Paginator(Pages(1), page_size=page_size)


def test_negative_max_items_is_refused() -> None:
    with pytest.raises(ValueError, match="max_items"):
        Paginator(Pages(1), max_items=-1)


async def test_errors_propagate() -> None:
    async def fetch(limit: int, offset: int) -> list[int]:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError, match="down"):
        await collect(Paginator(fetch))


# Through the resources: each search_all pages the real search endpoint.


def paged_server(n: int, key: str | None = None) -> tuple[httpx.AsyncClient, list[dict[str, Any]]]:
    """A server holding `n` records that serves `limit`/`offset` from the JSON body."""
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        page = [{"id": i} for i in range(n)][body["offset"] : body["offset"] + body["limit"]]
        return httpx.Response(200, json={key: page} if key else page)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), bodies


async def test_threads_search_all_pages_with_filters() -> None:
    http, bodies = paged_server(250)
    client = get_client(url="http://test", api_key=None, http_client=http)
    threads = [t async for t in client.threads.search_all(status="idle", page_size=100)]
    assert [t["id"] for t in threads] == list(range(250))  # type: ignore[typeddict-item]
    assert [(b["limit"], b["offset"]) for b in bodies] == [(100, 0), (100, 100), (100, 200)]
    assert all(b["status"] == "idle" for b in bodies)


async def test_assistants_search_all_honours_max_items() -> None:
    http, bodies = paged_server(500)
    client = get_client(url="http://test", api_key=None, http_client=http)
    found = [a async for a in client.assistants.search_all(graph_id="agent", max_items=30)]
    assert len(found) == 30
    assert [(b["limit"], b["offset"], b["graph_id"]) for b in bodies] == [(30, 0, "agent")]


async def test_crons_search_all_stops_on_an_empty_page() -> None:
    http, bodies = paged_server(20)
    client = get_client(url="http://test", api_key=None, http_client=http)
    found = [c async for c in client.crons.search_all(thread_id="t", page_size=10)]
    assert len(found) == 20
    assert [b["offset"] for b in bodies] == [0, 10, 20]
    assert all(b["thread_id"] == "t" for b in bodies)


async def test_store_search_all_items_unwraps_items() -> None:
    http, bodies = paged_server(15, key="items")
    client = get_client(url="http://test", api_key=None, http_client=http)
    found = [i async for i in client.store.search_all_items(["docs"], page_size=10)]
    assert len(found) == 15
    assert [(b["namespace_prefix"], b["offset"]) for b in bodies] == [(["docs"], 0), (["docs"], 10)]


def test_store_search_all_items_validates_before_iterating() -> None:
    http, bodies = paged_server(1, key="items")
    client = get_client(url="http://test", api_key=None, http_client=http)
    with pytest.raises(ValueError, match="label"):
        client.store.search_all_items(["a.b"])
    assert bodies == []
