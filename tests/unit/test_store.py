"""`client.store`: the exact request each method sends, and what comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import MockFactory, answer, body, sent

pytestmark = pytest.mark.both_clients

ITEM: dict[str, Any] = {
    "namespace": ["users", "u1"],
    "key": "prefs",
    "value": {"theme": "dark"},
    "created_at": "2025-01-01T00:00:00+00:00",
    "updated_at": "2025-01-01T00:00:00+00:00",
}


async def test_put_item(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    await client.store.put_item(["users", "u1"], "prefs", {"theme": "dark"})
    assert [sent(r) for r in calls] == [
        (
            "PUT",
            "/store/items",
            {},
            {"namespace": ["users", "u1"], "key": "prefs", "value": {"theme": "dark"}},
        )
    ]


async def test_put_item_index_and_ttl(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    await client.store.put_item(("docs",), key="d1", value={"t": "x"}, index=["t"], ttl=5)
    await client.store.put_item(["docs"], "d2", {"t": "y"}, False)
    assert [body(r) for r in calls] == [
        {"namespace": ["docs"], "key": "d1", "value": {"t": "x"}, "index": ["t"], "ttl": 5},
        {"namespace": ["docs"], "key": "d2", "value": {"t": "y"}, "index": False},
    ]


async def test_put_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    replies = iter([httpx.Response(503), httpx.Response(204)])
    client, calls = mock(lambda r: next(replies), max_retries=2)
    await client.store.put_item(["a"], "k", {})
    assert len(calls) == 2


async def test_get_item_joins_the_namespace_with_dots(mock: MockFactory) -> None:
    client, calls = mock(answer(ITEM))
    assert await client.store.get_item(["users", "u1"], "prefs") == ITEM
    await client.store.get_item(["users"], key="a b&c=d", refresh_ttl=False)
    assert [sent(r) for r in calls] == [
        ("GET", "/store/items", {"namespace": "users.u1", "key": "prefs"}, None),
        (
            "GET",
            "/store/items",
            {"namespace": "users", "key": "a b&c=d", "refresh_ttl": "false"},
            None,
        ),
    ]


async def test_get_item_missing_is_none(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(200, content=b"null"))
    assert await client.store.get_item(["users"], "nope") is None


async def test_get_item_needs_a_key(mock: MockFactory) -> None:
    client, calls = mock(answer(ITEM))
    with pytest.raises(ValueError, match="key"):
        await client.store.get_item(["users"], "")
    assert calls == []


async def test_delete_item(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    await client.store.delete_item(["users", "u1"], "prefs")
    assert [sent(r) for r in calls] == [
        ("DELETE", "/store/items", {}, {"namespace": ["users", "u1"], "key": "prefs"})
    ]


BAD_NAMESPACES = [
    (["a.b"], ValueError),  # would read back as ["a", "b"]
    (["users", ""], ValueError),
    ([], ValueError),
    (["ok", 3], ValueError),
    ("users", TypeError),  # a string is a sequence of one-letter labels
]


@pytest.mark.parametrize(("namespace", "error"), BAD_NAMESPACES)
async def test_bad_namespaces_fail_before_any_request(
    mock: MockFactory, namespace: Any, error: type[Exception]
) -> None:
    client, calls = mock(answer(ITEM))
    attempts: list[Callable[[], Any]] = [
        lambda: client.store.put_item(namespace, "k", {}),
        lambda: client.store.get_item(namespace, "k"),
        lambda: client.store.delete_item(namespace, "k"),
    ]
    for attempt in attempts:
        with pytest.raises(error, match="namespace"):
            await attempt()
    assert calls == []


@pytest.mark.parametrize(("namespace", "error"), [b for b in BAD_NAMESPACES if b[0] != []])
async def test_bad_prefixes_fail_before_any_request(
    mock: MockFactory, namespace: Any, error: type[Exception]
) -> None:
    client, calls = mock(answer({"items": [], "namespaces": []}))
    attempts: list[Callable[[], Any]] = [
        lambda: client.store.search_items(namespace),
        lambda: client.store.list_namespaces(prefix=namespace),
        lambda: client.store.list_namespaces(suffix=namespace),
    ]
    for attempt in attempts:
        with pytest.raises(error, match=r"prefix|suffix"):
            await attempt()
    assert calls == []


async def test_search_items(mock: MockFactory) -> None:
    found = {"items": [{**ITEM, "score": None}]}
    client, calls = mock(answer(found))
    assert await client.store.search_items(["users"]) == found
    await client.store.search_items([], {"theme": "dark"}, 5, 10, "dark things", True)
    assert [sent(r) for r in calls] == [
        (
            "POST",
            "/store/items/search",
            {},
            {"namespace_prefix": ["users"], "limit": 10, "offset": 0},
        ),
        (
            "POST",
            "/store/items/search",
            {},
            {
                "namespace_prefix": [],
                "filter": {"theme": "dark"},
                "limit": 5,
                "offset": 10,
                "query": "dark things",
                "refresh_ttl": True,
            },
        ),
    ]


async def test_search_items_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    replies = iter([httpx.Response(502), httpx.Response(200, json={"items": []})])
    client, calls = mock(lambda r: next(replies), max_retries=2)
    assert await client.store.search_items(["a"]) == {"items": []}
    assert len(calls) == 2


async def test_list_namespaces(mock: MockFactory) -> None:
    found = {"namespaces": [["users", "u1"]]}
    client, calls = mock(answer(found))
    assert await client.store.list_namespaces() == found
    await client.store.list_namespaces(["users"], ["prefs"], 2, 50, 100)
    assert [sent(r) for r in calls] == [
        ("POST", "/store/namespaces", {}, {"limit": 100, "offset": 0}),
        (
            "POST",
            "/store/namespaces",
            {},
            {"prefix": ["users"], "suffix": ["prefs"], "max_depth": 2, "limit": 50, "offset": 100},
        ),
    ]
