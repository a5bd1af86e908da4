"""Assistants: a graph with its configuration, versioned; plus the graph's structure and schemas."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes
from ._pagination import DEFAULT_PAGE_SIZE, Paginator
from ._paths import path
from ._payloads import drop_none

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from uuid import UUID

    from .types import (
        Assistant,
        AssistantGraph,
        AssistantSelectField,
        AssistantSortBy,
        AssistantsSearchResponse,
        AssistantVersion,
        Config,
        GraphSchema,
        IfExists,
        SortOrder,
        Subgraphs,
    )

__all__ = ["AssistantsClient"]


class AssistantsClient:
    """`client.assistants`: create, find, update, version and delete assistants."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    async def get(
        self,
        assistant_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        """One assistant, by its UUID (a graph name is not accepted here, unlike in runs)."""
        result: Assistant = await self._http.request(
            "GET",
            path("/assistants/{}", assistant_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get_graph(
        self,
        assistant_id: str | UUID,
        *,
        xray: int | bool = False,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> AssistantGraph:
        """The assistant's graph as nodes and edges; `xray=True` (or a depth) expands subgraphs."""
        # The server rejects xray=0 with a 422: "no expansion" is sent as no parameter.
        query = {"xray": xray or None, **(params or {})}
        result: AssistantGraph = await self._http.request(
            "GET",
            path("/assistants/{}/graph", assistant_id),
            params=query,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get_schemas(
        self,
        assistant_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> GraphSchema:
        """JSON Schemas of the graph's input, output, state, config and context."""
        result: GraphSchema = await self._http.request(
            "GET",
            path("/assistants/{}/schemas", assistant_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get_subgraphs(
        self,
        assistant_id: str | UUID,
        namespace: str | None = None,
        recurse: bool = False,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Subgraphs:
        """Schemas of the graph's subgraphs (only those under `namespace`, if given), keyed by
        namespace; `recurse=True` includes subgraphs of subgraphs."""
        if namespace is None:
            url = path("/assistants/{}/subgraphs", assistant_id)
        else:
            url = path("/assistants/{}/subgraphs/{}", assistant_id, namespace)
        result: Subgraphs = await self._http.request(
            "GET",
            url,
            params={"recurse": recurse or None, **(params or {})},
            headers=headers,
            timeout=timeout,
        )
        return result

    async def create(
        self,
        graph_id: str | None,
        config: Config | None = None,
        *,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        assistant_id: str | UUID | None = None,
        if_exists: IfExists | None = None,
        name: str | None = None,
        description: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        """Create an assistant for a graph.

        `graph_id` is a graph name from `langgraph.json`; `config` is the runs' default config.

            bot = await client.assistants.create("agent", {"configurable": {"model": "m"}})
        """
        if not graph_id:
            raise ValueError("graph_id is required (a graph name from langgraph.json)")
        body = drop_none(
            {
                "graph_id": graph_id,
                "config": config,
                "context": context,
                "metadata": metadata,
                "assistant_id": assistant_id,
                "if_exists": if_exists,
                "name": name,
                "description": description,
            }
        )
        result: Assistant = await self._http.request(
            "POST",
            "/assistants",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def update(
        self,
        assistant_id: str | UUID,
        *,
        graph_id: str | None = None,
        config: Config | None = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        """Change an assistant; the server saves the result as a new version."""
        body = drop_none(
            {
                "graph_id": graph_id,
                "config": config,
                "context": context,
                "metadata": metadata,
                "name": name,
                "description": description,
            }
        )
        result: Assistant = await self._http.request(
            "PATCH",
            path("/assistants/{}", assistant_id),
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def delete(
        self,
        assistant_id: str | UUID,
        *,
        delete_threads: bool = False,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete an assistant; `delete_threads=True` also deletes the threads it ran on."""
        await self._http.request(
            "DELETE",
            path("/assistants/{}", assistant_id),
            params={"delete_threads": delete_threads or None, **(params or {})},
            headers=headers,
            timeout=timeout,
        )

    @overload
    async def search(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        name: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: AssistantSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[AssistantSelectField] | None = None,
        response_format: Literal["array"] = "array",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Assistant]: ...

    @overload
    async def search(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        name: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: AssistantSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[AssistantSelectField] | None = None,
        response_format: Literal["object"],
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> AssistantsSearchResponse: ...

    async def search(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        name: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: AssistantSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[AssistantSelectField] | None = None,
        response_format: Literal["array", "object"] = "array",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Assistant] | AssistantsSearchResponse:
        """One page of assistants matching every filter given; `search_all` pages for you.

        `response_format="object"` returns `{"assistants": [...], "next": offset or None}`, the
        next offset read from the `X-Pagination-Next` header.
        """
        if response_format not in ("array", "object"):
            raise ValueError(
                f"response_format must be 'array' or 'object', got {response_format!r}"
            )
        body = drop_none(
            {
                "metadata": metadata,
                "graph_id": graph_id,
                "name": name,
                "limit": limit,
                "offset": offset,
                "sort_by": sort_by,
                "sort_order": sort_order,
                "select": None if select is None else list(select),
            }
        )
        next_offset: list[str | None] = []
        assistants: builtins.list[Assistant] = await self._http.request(
            "POST",
            "/assistants/search",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
            on_headers=lambda response_headers: next_offset.append(
                response_headers.get("x-pagination-next")
            ),
        )
        if response_format == "array":
            return assistants
        return {"assistants": assistants, "next": next_offset[-1] if next_offset else None}

    def search_all(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        name: str | None = None,
        sort_by: AssistantSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[AssistantSelectField] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Paginator[Assistant]:
        """Every matching assistant (up to `max_items`), fetched `page_size` at a time.

        Same filters as `search`:

            async for assistant in client.assistants.search_all(graph_id="agent"):
                ...
        """

        async def fetch(limit: int, offset: int) -> builtins.list[Assistant]:
            return await self.search(
                metadata=metadata,
                graph_id=graph_id,
                name=name,
                limit=limit,
                offset=offset,
                sort_by=sort_by,
                sort_order=sort_order,
                select=select,
                headers=headers,
                params=params,
                timeout=timeout,
            )

        return Paginator(fetch, page_size=page_size, max_items=max_items)

    async def count(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        name: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> int:
        """How many assistants match every filter given."""
        result: int = await self._http.request(
            "POST",
            "/assistants/count",
            json=drop_none({"metadata": metadata, "graph_id": graph_id, "name": name}),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get_versions(
        self,
        assistant_id: str | UUID,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[AssistantVersion]:
        """The assistant's saved versions, newest first."""
        result: builtins.list[AssistantVersion] = await self._http.request(
            "POST",
            path("/assistants/{}/versions", assistant_id),
            json=drop_none({"metadata": metadata, "limit": limit, "offset": offset}),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def set_latest(
        self,
        assistant_id: str | UUID,
        version: int,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        """Make `version` the assistant's current one (e.g. to roll back an update)."""
        result: Assistant = await self._http.request(
            "POST",
            path("/assistants/{}/latest", assistant_id),
            json={"version": version},
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result
