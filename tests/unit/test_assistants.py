"""`client.assistants`: the exact request each method sends, and what comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from langgraph_client import APIStatusError

from .conftest import HOSTILE_IDS, MockFactory, answer, body, flaky, query, raw_path, sent

pytestmark = pytest.mark.both_clients

ASSISTANT: dict[str, Any] = {
    "assistant_id": "a1",
    "graph_id": "agent",
    "config": {},
    "context": {},
    "created_at": "2025-01-01T00:00:00+00:00",
    "updated_at": "2025-01-01T00:00:00+00:00",
    "metadata": {},
    "version": 1,
    "name": "agent",
    "description": None,
}


async def test_get(mock: MockFactory) -> None:
    client, calls = mock(answer(ASSISTANT))
    assert await client.assistants.get("a1") == ASSISTANT
    assert [sent(r) for r in calls] == [("GET", "/assistants/a1", {}, None)]


@pytest.mark.parametrize(("assistant_id", "encoded"), HOSTILE_IDS)
async def test_get_keeps_a_hostile_id_in_one_segment(
    mock: MockFactory, assistant_id: str, encoded: str
) -> None:
    client, calls = mock(answer(ASSISTANT))
    await client.assistants.get(assistant_id)
    await client.assistants.get_graph(assistant_id)
    await client.assistants.get_subgraphs("a1", assistant_id)
    assert [raw_path(r) for r in calls] == [
        f"/assistants/{encoded}",
        f"/assistants/{encoded}/graph",
        f"/assistants/a1/subgraphs/{encoded}",
    ]


@pytest.mark.parametrize("bad", [None, ""])
async def test_missing_ids_fail_before_any_request(mock: MockFactory, bad: Any) -> None:
    client, calls = mock(answer(ASSISTANT))
    a = client.assistants
    attempts: list[Callable[[], Any]] = [
        lambda: a.get(bad),
        lambda: a.get_graph(bad),
        lambda: a.get_schemas(bad),
        lambda: a.get_subgraphs(bad),
        lambda: a.update(bad, name="x"),
        lambda: a.delete(bad),
        lambda: a.get_versions(bad),
        lambda: a.set_latest(bad, 1),
    ]
    if bad is not None:  # a namespace of None means "all subgraphs"
        attempts.append(lambda: a.get_subgraphs("a1", bad))
    for attempt in attempts:
        with pytest.raises(ValueError, match="id"):
            await attempt()
    assert calls == []


async def test_get_graph(mock: MockFactory) -> None:
    graph = {"nodes": [{"id": "__start__"}], "edges": []}
    client, calls = mock(answer(graph))
    assert await client.assistants.get_graph("a1") == graph
    await client.assistants.get_graph("a1", xray=True)
    await client.assistants.get_graph("a1", xray=2)
    await client.assistants.get_graph("a1", xray=0)
    assert [(raw_path(r), query(r)) for r in calls] == [
        ("/assistants/a1/graph", {}),
        ("/assistants/a1/graph", {"xray": "true"}),
        ("/assistants/a1/graph", {"xray": "2"}),
        ("/assistants/a1/graph", {}),  # the server refuses xray=0
    ]


async def test_get_schemas(mock: MockFactory) -> None:
    schemas = {"graph_id": "agent", "state_schema": {}}
    client, calls = mock(answer(schemas))
    assert await client.assistants.get_schemas("a1") == schemas
    assert [sent(r) for r in calls] == [("GET", "/assistants/a1/schemas", {}, None)]


async def test_get_subgraphs(mock: MockFactory) -> None:
    client, calls = mock(answer({}))
    assert await client.assistants.get_subgraphs("a1") == {}
    await client.assistants.get_subgraphs("a1", "inner", True)
    await client.assistants.get_subgraphs("a1", recurse=True)
    assert [sent(r) for r in calls] == [
        ("GET", "/assistants/a1/subgraphs", {}, None),
        ("GET", "/assistants/a1/subgraphs/inner", {"recurse": "true"}, None),
        ("GET", "/assistants/a1/subgraphs", {"recurse": "true"}, None),
    ]


async def test_create_minimal(mock: MockFactory) -> None:
    client, calls = mock(answer(ASSISTANT))
    assert await client.assistants.create("agent") == ASSISTANT
    assert [sent(r) for r in calls] == [("POST", "/assistants", {}, {"graph_id": "agent"})]


async def test_create_with_everything(mock: MockFactory) -> None:
    client, calls = mock(answer(ASSISTANT))
    await client.assistants.create(
        "agent",
        {"configurable": {"model": "m"}},
        context={"user": "u"},
        metadata={"team": "x"},
        assistant_id="a1",
        if_exists="raise",
        name="bot",
        description="a bot",
    )
    assert body(calls[0]) == {
        "graph_id": "agent",
        "config": {"configurable": {"model": "m"}},
        "context": {"user": "u"},
        "metadata": {"team": "x"},
        "assistant_id": "a1",
        "if_exists": "raise",
        "name": "bot",
        "description": "a bot",
    }


@pytest.mark.parametrize("graph_id", [None, ""])
async def test_create_needs_a_graph(mock: MockFactory, graph_id: Any) -> None:
    client, calls = mock(answer(ASSISTANT))
    with pytest.raises(ValueError, match="graph_id"):
        await client.assistants.create(graph_id)
    assert calls == []


async def test_create_is_retried_only_when_idempotent(
    mock: MockFactory, no_retry_delay: None
) -> None:
    client, calls = mock(flaky(ASSISTANT), max_retries=2)
    with pytest.raises(APIStatusError):
        await client.assistants.create("agent", name="x")
    assert len(calls) == 1

    client, calls = mock(flaky(ASSISTANT), max_retries=2)
    await client.assistants.create("agent", assistant_id="a1", if_exists="do_nothing")
    assert len(calls) == 2


async def test_update(mock: MockFactory) -> None:
    client, calls = mock(answer(ASSISTANT))
    assert (
        await client.assistants.update("a1", config={}, name="new", metadata={"v": 2}) == ASSISTANT
    )
    assert [sent(r) for r in calls] == [
        ("PATCH", "/assistants/a1", {}, {"config": {}, "metadata": {"v": 2}, "name": "new"})
    ]


async def test_delete(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    await client.assistants.delete("a1")
    await client.assistants.delete("a1", delete_threads=True)
    assert [sent(r) for r in calls] == [
        ("DELETE", "/assistants/a1", {}, None),
        ("DELETE", "/assistants/a1", {"delete_threads": "true"}, None),
    ]


async def test_search(mock: MockFactory) -> None:
    client, calls = mock(answer([ASSISTANT]))
    assert await client.assistants.search() == [ASSISTANT]
    await client.assistants.search(
        metadata={"a": 1},
        graph_id="agent",
        name="bot",
        limit=3,
        offset=6,
        sort_by="name",
        sort_order="desc",
        select=["assistant_id"],
    )
    assert [sent(r) for r in calls] == [
        ("POST", "/assistants/search", {}, {"limit": 10, "offset": 0}),
        (
            "POST",
            "/assistants/search",
            {},
            {
                "metadata": {"a": 1},
                "graph_id": "agent",
                "name": "bot",
                "limit": 3,
                "offset": 6,
                "sort_by": "name",
                "sort_order": "desc",
                "select": ["assistant_id"],
            },
        ),
    ]


async def test_search_object_format_reads_the_next_offset(mock: MockFactory) -> None:
    headers = {"x-pagination-next": "10"}
    client, _ = mock(lambda r: httpx.Response(200, json=[ASSISTANT], headers=headers))
    page = await client.assistants.search(response_format="object")
    assert page == {"assistants": [ASSISTANT], "next": "10"}

    client, _ = mock(answer([ASSISTANT]))
    assert await client.assistants.search(response_format="object") == {
        "assistants": [ASSISTANT],
        "next": None,
    }


async def test_search_rejects_an_unknown_format(mock: MockFactory) -> None:
    client, calls = mock(answer([]))
    with pytest.raises(ValueError, match="response_format"):
        await client.assistants.search(response_format="table")  # type: ignore[call-overload]
    assert calls == []


async def test_search_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky([ASSISTANT]), max_retries=2)
    assert await client.assistants.search() == [ASSISTANT]
    assert len(calls) == 2


async def test_count(mock: MockFactory) -> None:
    client, calls = mock(answer(3))
    assert await client.assistants.count(graph_id="agent") == 3
    assert [sent(r) for r in calls] == [("POST", "/assistants/count", {}, {"graph_id": "agent"})]


async def test_get_versions(mock: MockFactory) -> None:
    client, calls = mock(answer([ASSISTANT]))
    assert await client.assistants.get_versions("a1") == [ASSISTANT]
    await client.assistants.get_versions("a1", {"v": 1}, 5, 10)
    assert [sent(r) for r in calls] == [
        ("POST", "/assistants/a1/versions", {}, {"limit": 10, "offset": 0}),
        ("POST", "/assistants/a1/versions", {}, {"metadata": {"v": 1}, "limit": 5, "offset": 10}),
    ]


async def test_set_latest(mock: MockFactory) -> None:
    client, calls = mock(answer(ASSISTANT))
    assert await client.assistants.set_latest("a1", 2) == ASSISTANT
    assert [sent(r) for r in calls] == [("POST", "/assistants/a1/latest", {}, {"version": 2})]


async def test_headers_params_and_timeout_reach_the_request(mock: MockFactory) -> None:
    client, calls = mock(answer(ASSISTANT))
    await client.assistants.get("a1", headers={"x-a": "1"}, params={"p": "q"}, timeout=3.0)
    (request,) = calls
    assert request.headers["x-a"] == "1"
    assert query(request) == {"p": "q"}
    assert request.extensions["timeout"]["read"] == 3.0
