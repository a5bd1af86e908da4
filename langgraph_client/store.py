"""Store: long-term JSON documents shared across threads, filed under namespaces."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes
from ._pagination import DEFAULT_PAGE_SIZE, Paginator
from ._payloads import drop_none, store_labels

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from .types import Item, ListNamespaceResponse, SearchItem, SearchItemsResponse

__all__ = ["StoreClient"]


class StoreClient:
    """`client.store`: put, get, search and delete items; list namespaces."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    async def put_item(
        self,
        namespace: Sequence[str],
        /,
        key: str,
        value: Mapping[str, Any],
        index: Literal[False] | Sequence[str] | None = None,
        ttl: float | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Store `value` under `key` in `namespace`, replacing any item there.

        `index`: the fields to embed for semantic search, or `False` for none; `ttl`: minutes
        until the item expires.

            await client.store.put_item(["users", "u1"], "prefs", {"theme": "dark"})
        """
        body = drop_none(
            {
                "namespace": store_labels(namespace, "namespace", allow_empty=False),
                "key": key,
                "value": value,
                "index": list(index) if index else index,
                "ttl": ttl,
            }
        )
        await self._http.request(
            "PUT", "/store/items", json=body, params=params, headers=headers, timeout=timeout
        )

    async def get_item(
        self,
        namespace: Sequence[str],
        /,
        key: str,
        *,
        refresh_ttl: bool | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Item | None:
        """One item.

        `None` when there is no item under `key` in `namespace`:

            item = await client.store.get_item(["users", "u1"], "prefs")
        """
        labels = store_labels(namespace, "namespace", allow_empty=False)
        if not key:
            raise ValueError("key is required")
        query = {
            "namespace": ".".join(labels),
            "key": key,
            "refresh_ttl": refresh_ttl,
            **(params or {}),
        }
        result: Item | None = await self._http.request(
            "GET", "/store/items", params=query, headers=headers, timeout=timeout
        )
        return result

    async def delete_item(
        self,
        namespace: Sequence[str],
        /,
        key: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete the item under `key` in `namespace` (nothing happens if there is none)."""
        body = {"namespace": store_labels(namespace, "namespace", allow_empty=False), "key": key}
        await self._http.request(
            "DELETE", "/store/items", json=body, params=params, headers=headers, timeout=timeout
        )

    async def search_items(
        self,
        namespace_prefix: Sequence[str],
        /,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        query: str | None = None,
        refresh_ttl: bool | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> SearchItemsResponse:
        """One page of items under `namespace_prefix` (`[]` for all), matching `filter` on their
        values; with `query`, ranked by semantic similarity. `search_all_items` pages for you.

            found = await client.store.search_items(["users"], filter={"theme": "dark"})
            items = found["items"]
        """
        body = drop_none(
            {
                "namespace_prefix": store_labels(
                    namespace_prefix, "namespace_prefix", allow_empty=True
                ),
                "filter": filter,
                "limit": limit,
                "offset": offset,
                "query": query,
                "refresh_ttl": refresh_ttl,
            }
        )
        result: SearchItemsResponse = await self._http.request(
            "POST",
            "/store/items/search",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    def search_all_items(
        self,
        namespace_prefix: Sequence[str],
        /,
        filter: Mapping[str, Any] | None = None,
        query: str | None = None,
        refresh_ttl: bool | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Paginator[SearchItem]:
        """Every matching item (up to `max_items`), fetched `page_size` at a time.

        Same filters as `search_items`:

            async for item in client.store.search_all_items(["users"]):
                ...
        """
        store_labels(
            namespace_prefix, "namespace_prefix", allow_empty=True
        )  # fail before iterating

        async def fetch(limit: int, offset: int) -> builtins.list[SearchItem]:
            page = await self.search_items(
                namespace_prefix,
                filter,
                limit,
                offset,
                query,
                refresh_ttl,
                headers=headers,
                params=params,
                timeout=timeout,
            )
            return page["items"]

        return Paginator(fetch, page_size=page_size, max_items=max_items)

    async def list_namespaces(
        self,
        prefix: Sequence[str] | None = None,
        suffix: Sequence[str] | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> ListNamespaceResponse:
        """Namespaces in the store.

        Those that start with `prefix` and end with `suffix`, cut to `max_depth` labels:

            found = await client.store.list_namespaces(prefix=["users"], max_depth=2)
            namespaces = found["namespaces"]
        """
        body = drop_none(
            {
                "prefix": None
                if prefix is None
                else store_labels(prefix, "prefix", allow_empty=True),
                "suffix": None
                if suffix is None
                else store_labels(suffix, "suffix", allow_empty=True),
                "max_depth": max_depth,
                "limit": limit,
                "offset": offset,
            }
        )
        result: ListNamespaceResponse = await self._http.request(
            "POST",
            "/store/namespaces",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result
