"""Threads: conversations whose state persists across runs; their state, history and stream."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx

from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes
from ._pagination import DEFAULT_PAGE_SIZE, Paginator
from ._paths import path
from ._payloads import checkpoint_address, drop_none, history_before, thread_ttl
from ._retry import ReconnectPolicy
from ._stream import OnReconnect, RunEvents, RunMetadata, RunStream, StreamPart

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from uuid import UUID

    from .thread_stream import AsyncThreadStream
    from .types import (
        Checkpoint,
        IfExists,
        PruneStrategy,
        SortOrder,
        Thread,
        ThreadPruneResponse,
        ThreadSelectField,
        ThreadSortBy,
        ThreadState,
        ThreadStatus,
        ThreadStreamMode,
        ThreadSuperstep,
        ThreadTTL,
        ThreadUpdateStateResponse,
    )

__all__ = ["ThreadsClient"]


class ThreadsClient:
    """`client.threads`: create, find, update and delete threads; read and write their state."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    async def create(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        thread_id: str | UUID | None = None,
        if_exists: IfExists | None = None,
        supersteps: Sequence[ThreadSuperstep | Mapping[str, Any]] | None = None,
        graph_id: str | None = None,
        ttl: float | ThreadTTL | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Thread:
        """Create a thread.

        With a `thread_id` and `if_exists="do_nothing"`, an existing thread is returned instead.

            thread = await client.threads.create(metadata={"user": "u1"})
        """
        if graph_id is not None:
            metadata = {**(metadata or {}), "graph_id": graph_id}
        body = drop_none(
            {
                "thread_id": thread_id,
                "metadata": metadata,
                "if_exists": if_exists,
                "supersteps": None if supersteps is None else list(supersteps),
                "ttl": thread_ttl(ttl),
            }
        )
        result: Thread = await self._http.request(
            "POST",
            "/threads",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get(
        self,
        thread_id: str | UUID,
        *,
        include: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Thread:
        """One thread; `include=["ttl"]` adds its time-to-live."""
        query = {"include": ",".join(include) if include else None, **(params or {})}
        result: Thread = await self._http.request(
            "GET", path("/threads/{}", thread_id), params=query, headers=headers, timeout=timeout
        )
        return result

    @overload
    async def update(
        self,
        thread_id: str | UUID,
        *,
        metadata: Mapping[str, Any] | None = None,
        ttl: float | ThreadTTL | Mapping[str, Any] | None = None,
        return_minimal: Literal[False] = False,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Thread: ...

    @overload
    async def update(
        self,
        thread_id: str | UUID,
        *,
        metadata: Mapping[str, Any] | None = None,
        ttl: float | ThreadTTL | Mapping[str, Any] | None = None,
        return_minimal: bool,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Thread | None: ...

    async def update(
        self,
        thread_id: str | UUID,
        *,
        metadata: Mapping[str, Any] | None = None,
        ttl: float | ThreadTTL | Mapping[str, Any] | None = None,
        return_minimal: bool = False,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Thread | None:
        """Merge `metadata` into the thread's and/or set its time-to-live.

        `return_minimal=True` asks the server not to send the thread back."""
        if return_minimal:
            headers = {**(headers or {}), "prefer": "return=minimal"}
        result: Thread | None = await self._http.request(
            "PATCH",
            path("/threads/{}", thread_id),
            json=drop_none({"metadata": metadata, "ttl": thread_ttl(ttl)}),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def delete(
        self,
        thread_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete a thread with its state and runs."""
        await self._http.request(
            "DELETE",
            path("/threads/{}", thread_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )

    async def search(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        status: ThreadStatus | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: ThreadSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[ThreadSelectField] | None = None,
        extract: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Thread]:
        """One page of threads matching every filter given.

        `search_all` pages for you.

            idle = await client.threads.search(status="idle", metadata={"user": "u1"})
        """
        body = drop_none(
            {
                "metadata": metadata,
                "values": values,
                "ids": None if ids is None else list(ids),
                "status": status,
                "limit": limit,
                "offset": offset,
                "sort_by": sort_by,
                "sort_order": sort_order,
                "select": None if select is None else list(select),
                "extract": extract,
            }
        )
        result: builtins.list[Thread] = await self._http.request(
            "POST",
            "/threads/search",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    def search_all(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        status: ThreadStatus | None = None,
        sort_by: ThreadSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[ThreadSelectField] | None = None,
        extract: Mapping[str, str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Paginator[Thread]:
        """Every matching thread (up to `max_items`), fetched `page_size` at a time.

        Same filters as `search`:

            async for thread in client.threads.search_all(status="idle"):
                ...
        """

        async def fetch(limit: int, offset: int) -> builtins.list[Thread]:
            return await self.search(
                metadata=metadata,
                values=values,
                ids=ids,
                status=status,
                limit=limit,
                offset=offset,
                sort_by=sort_by,
                sort_order=sort_order,
                select=select,
                extract=extract,
                headers=headers,
                params=params,
                timeout=timeout,
            )

        return Paginator(fetch, page_size=page_size, max_items=max_items)

    async def count(
        self,
        *,
        metadata: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        status: ThreadStatus | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> int:
        """How many threads match every filter given."""
        result: int = await self._http.request(
            "POST",
            "/threads/count",
            json=drop_none({"metadata": metadata, "values": values, "status": status}),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def copy(
        self,
        thread_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Thread:
        """Copy a thread with its state and history; returns the new thread."""
        result: Thread = await self._http.request(
            "POST",
            path("/threads/{}/copy", thread_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def prune(
        self,
        thread_ids: Sequence[str],
        *,
        strategy: PruneStrategy = "delete",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> ThreadPruneResponse:
        """Delete threads, or with `strategy="keep_latest"` cut them down to their latest state."""
        if isinstance(thread_ids, str):
            raise TypeError("thread_ids must be a list of ids, not a single string")
        result: ThreadPruneResponse = await self._http.request(
            "POST",
            "/threads/prune",
            json={"thread_ids": list(thread_ids), "strategy": strategy},
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get_state(
        self,
        thread_id: str | UUID,
        checkpoint: Checkpoint | None = None,
        checkpoint_id: str | None = None,
        *,
        subgraphs: bool = False,
        select: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> ThreadState:
        """The thread's state: the latest, or at `checkpoint` (a dict, e.g. a subgraph's) or
        `checkpoint_id`. `subgraphs=True` includes the states of subgraphs in its tasks.

            state = await client.threads.get_state(thread_id)
        """
        selected = None if select is None else list(select)
        if checkpoint:
            result: ThreadState = await self._http.request(
                "POST",
                path("/threads/{}/state/checkpoint", thread_id),
                json=drop_none(
                    {
                        "checkpoint": checkpoint_address(checkpoint, checkpoint_id),
                        "subgraphs": subgraphs or None,
                        "select": selected,
                    }
                ),
                params=params,
                headers=headers,
                timeout=timeout,
            )
            return result
        if checkpoint_id is not None:
            url = path("/threads/{}/state/{}", thread_id, checkpoint_id)
        else:
            url = path("/threads/{}/state", thread_id)
        query = {"subgraphs": subgraphs or None, "select": selected, **(params or {})}
        result = await self._http.request(
            "GET", url, params=query, headers=headers, timeout=timeout
        )
        return result

    async def update_state(
        self,
        thread_id: str | UUID,
        values: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        *,
        as_node: str | None = None,
        checkpoint: Checkpoint | None = None,
        checkpoint_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> ThreadUpdateStateResponse:
        """Write `values` to the thread's state as if node `as_node` had, making a new checkpoint
        (forked from `checkpoint` / `checkpoint_id` when given)."""
        body = {"values": values}
        body.update(
            drop_none(
                {"as_node": as_node, "checkpoint": checkpoint_address(checkpoint, checkpoint_id)}
            )
        )
        result: ThreadUpdateStateResponse = await self._http.request(
            "POST",
            path("/threads/{}/state", thread_id),
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def get_history(
        self,
        thread_id: str | UUID,
        *,
        limit: int = 10,
        before: str | Checkpoint | None = None,
        metadata: Mapping[str, Any] | None = None,
        checkpoint: Checkpoint | None = None,
        select: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[ThreadState]:
        """Past states of the thread, newest first: up to `limit`, older than `before` (a
        checkpoint id or dict), matching `metadata`, within the (sub)graph of `checkpoint`."""
        body = drop_none(
            {
                "limit": limit,
                "before": history_before(before),
                "metadata": metadata,
                "checkpoint": checkpoint,
                "select": None if select is None else list(select),
            }
        )
        result: builtins.list[ThreadState] = await self._http.request(
            "POST",
            path("/threads/{}/history", thread_id),
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    def stream(
        self,
        thread_id: str | UUID | None = None,
        *,
        assistant_id: str | UUID,
        headers: Mapping[str, str] | None = None,
        run_start_timeout: float | None = None,
        transport: Literal["sse"] = "sse",
        channels: Sequence[str] | None = None,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
    ) -> AsyncThreadStream:
        """A streaming session on a thread (minted when `thread_id` is `None`), across runs.

            async with client.threads.stream(assistant_id="agent") as thread:
                await thread.run.start(input={"messages": [...]})
                print(await thread.output)

        See docs/thread-streaming.md. Only the SSE transport is supported (no WebSocket).
        """
        from .thread_stream import AsyncThreadStream

        if transport != "sse":
            raise ValueError(f"transport {transport!r} is not supported; use 'sse'")
        return AsyncThreadStream(
            self._http,
            None if thread_id is None else str(thread_id),
            assistant_id=str(assistant_id),
            headers=headers,
            run_start_timeout=run_start_timeout,
            channels=channels,
            on_reconnect=on_reconnect,
            reconnect=ReconnectPolicy.choose(self._http.reconnect, reconnect, max_reconnects),
        )

    def join_stream(
        self,
        thread_id: str | UUID,
        *,
        last_event_id: str | None = None,
        stream_mode: ThreadStreamMode | Sequence[ThreadStreamMode] = "run_modes",
        raise_error: bool = False,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> RunStream[StreamPart]:
        """Stream the events of every run on the thread, from now or after `last_event_id`.

        The stream stays open until you close it; it resumes by itself after a break, after the
        last event delivered:

            async with client.threads.join_stream(thread_id) as stream:
                async for part in stream:
                    print(part.event, part.data)
        """
        modes = [stream_mode] if isinstance(stream_mode, str) else list(stream_mode)
        # The server reads one `stream_modes` value, comma-separated; a repeated key loses modes.
        query = {"stream_modes": ",".join(modes), **(params or {})}
        url = path("/threads/{}/stream", thread_id)

        def build(event_id: str | None) -> httpx.Request:
            return self._http.build_request(
                "GET",
                url,
                params=query,
                headers={**(headers or {}), **({"last-event-id": event_id} if event_id else {})},
                timeout=timeout,
                stream=True,
            )

        def resume(run: RunMetadata | None, event_id: str | None) -> httpx.Request:
            return build(event_id)

        events = RunEvents(
            resume=resume,
            raise_error=raise_error,
            # Many runs share this stream: none of their ids names it.
            run={"run_id": None, "thread_id": thread_id},
            last_event_id=last_event_id,
            replays_all=False,  # the thread stream answers `Last-Event-ID: -1` with a 422
            live=True,
        )
        return RunStream(
            self._http,
            build(last_event_id),
            events,
            on_reconnect=on_reconnect,
            reconnect=ReconnectPolicy.choose(self._http.reconnect, reconnect, max_reconnects),
        )
