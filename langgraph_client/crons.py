"""Crons: runs repeated on a schedule, on one thread or each on a new thread."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes
from ._pagination import DEFAULT_PAGE_SIZE, Paginator
from ._paths import path
from ._payloads import RunOptions, cron_body, cron_time, cron_timezone, drop_none

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from uuid import UUID

    from .types import (
        All,
        Checkpoint,
        Command,
        Config,
        Cron,
        CronSelectField,
        CronSortBy,
        DisconnectMode,
        Durability,
        IfNotExists,
        MultitaskStrategy,
        OnCompletionBehavior,
        SortOrder,
        StreamMode,
    )

__all__ = ["CronClient"]


class CronClient:
    """`client.crons`: schedule runs, change and delete the schedules, find them."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    async def create_for_thread(
        self,
        thread_id: str | UUID,
        assistant_id: str | UUID,
        *,
        # <generated: RunOptions parameters>
        input: Any = None,
        command: Command | Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Config | Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        checkpoint: Checkpoint | None = None,
        checkpoint_id: str | None = None,
        checkpoint_during: bool | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        webhook: str | None = None,
        on_disconnect: DisconnectMode | None = None,
        on_completion: OnCompletionBehavior | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        if_not_exists: IfNotExists | None = None,
        after_seconds: float | None = None,
        durability: Durability | None = None,
        stream_subgraphs: bool | None = None,
        stream_resumable: bool | None = None,
        feedback_keys: Sequence[str] | None = None,
        langsmith_tracing: Mapping[str, Any] | None = None,
        strict_resume: bool | None = None,
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...]
        | None = None,
        # </generated>
        schedule: str,
        end_time: datetime | str | None = None,
        enabled: bool | None = None,
        timezone: str | tzinfo | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Cron:
        """Schedule runs of `assistant_id` on the thread (`schedule` in cron syntax, read in
        `timezone`, UTC by default). The run options are those of `runs.create`.

            cron = await client.crons.create_for_thread(tid, "agent", schedule="0 9 * * *",
                                                       input={"messages": [...]})
        """
        # <generated: RunOptions dict>
        options: RunOptions = {
            "input": input,
            "command": command,
            "metadata": metadata,
            "config": config,
            "context": context,
            "checkpoint": checkpoint,
            "checkpoint_id": checkpoint_id,
            "checkpoint_during": checkpoint_during,
            "interrupt_before": interrupt_before,
            "interrupt_after": interrupt_after,
            "webhook": webhook,
            "on_disconnect": on_disconnect,
            "on_completion": on_completion,
            "multitask_strategy": multitask_strategy,
            "if_not_exists": if_not_exists,
            "after_seconds": after_seconds,
            "durability": durability,
            "stream_subgraphs": stream_subgraphs,
            "stream_resumable": stream_resumable,
            "feedback_keys": feedback_keys,
            "langsmith_tracing": langsmith_tracing,
            "strict_resume": strict_resume,
            "stream_mode": stream_mode,
        }
        # </generated>
        result: Cron = await self._http.request(
            "POST",
            path("/threads/{}/runs/crons", thread_id),
            json=cron_body(assistant_id, schedule, end_time, enabled, timezone, options),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def create(
        self,
        assistant_id: str | UUID,
        *,
        # <generated: RunOptions parameters>
        input: Any = None,
        command: Command | Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Config | Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        checkpoint: Checkpoint | None = None,
        checkpoint_id: str | None = None,
        checkpoint_during: bool | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        webhook: str | None = None,
        on_disconnect: DisconnectMode | None = None,
        on_completion: OnCompletionBehavior | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        if_not_exists: IfNotExists | None = None,
        after_seconds: float | None = None,
        durability: Durability | None = None,
        stream_subgraphs: bool | None = None,
        stream_resumable: bool | None = None,
        feedback_keys: Sequence[str] | None = None,
        langsmith_tracing: Mapping[str, Any] | None = None,
        strict_resume: bool | None = None,
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...]
        | None = None,
        # </generated>
        schedule: str,
        end_time: datetime | str | None = None,
        enabled: bool | None = None,
        timezone: str | tzinfo | None = None,
        on_run_completed: OnCompletionBehavior | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Cron:
        """Schedule runs of `assistant_id`, each on a new thread that is deleted afterwards
        unless `on_run_completed="keep"`. The run options are those of `runs.create`.

            cron = await client.crons.create("agent", schedule="*/5 * * * *", input={...})
        """
        # <generated: RunOptions dict>
        options: RunOptions = {
            "input": input,
            "command": command,
            "metadata": metadata,
            "config": config,
            "context": context,
            "checkpoint": checkpoint,
            "checkpoint_id": checkpoint_id,
            "checkpoint_during": checkpoint_during,
            "interrupt_before": interrupt_before,
            "interrupt_after": interrupt_after,
            "webhook": webhook,
            "on_disconnect": on_disconnect,
            "on_completion": on_completion,
            "multitask_strategy": multitask_strategy,
            "if_not_exists": if_not_exists,
            "after_seconds": after_seconds,
            "durability": durability,
            "stream_subgraphs": stream_subgraphs,
            "stream_resumable": stream_resumable,
            "feedback_keys": feedback_keys,
            "langsmith_tracing": langsmith_tracing,
            "strict_resume": strict_resume,
            "stream_mode": stream_mode,
        }
        # </generated>
        body = cron_body(assistant_id, schedule, end_time, enabled, timezone, options)
        if on_run_completed is not None:
            body["on_run_completed"] = on_run_completed
        result: Cron = await self._http.request(
            "POST", "/runs/crons", json=body, params=params, headers=headers, timeout=timeout
        )
        return result

    async def update(
        self,
        cron_id: str | UUID,
        *,
        schedule: str | None = None,
        end_time: datetime | str | NotGiven | None = NOT_GIVEN,
        input: Any = None,
        metadata: Mapping[str, Any] | None = None,
        config: Config | None = None,
        context: Mapping[str, Any] | None = None,
        webhook: str | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        on_run_completed: OnCompletionBehavior | None = None,
        enabled: bool | None = None,
        timezone: str | tzinfo | None = None,
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...]
        | None = None,
        stream_subgraphs: bool | None = None,
        stream_resumable: bool | None = None,
        durability: Durability | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Cron:
        """Change the fields given; `end_time=None` removes the end time, `enabled=False`
        pauses the cron."""
        body = drop_none(
            {
                "schedule": schedule,
                "input": input,
                "metadata": metadata,
                "config": config,
                "context": context,
                "webhook": webhook,
                "interrupt_before": interrupt_before,
                "interrupt_after": interrupt_after,
                "on_run_completed": on_run_completed,
                "enabled": enabled,
                "timezone": cron_timezone(timezone),
                "stream_mode": stream_mode,
                "stream_subgraphs": stream_subgraphs,
                "stream_resumable": stream_resumable,
                "durability": durability,
            }
        )
        if not isinstance(end_time, NotGiven):
            body["end_time"] = cron_time(end_time)  # an explicit null clears it on the server
        if not body:
            raise ValueError("nothing to update: pass at least one field")
        result: Cron = await self._http.request(
            "PATCH",
            path("/runs/crons/{}", cron_id),
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def delete(
        self,
        cron_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete a cron; runs it already started are not affected."""
        await self._http.request(
            "DELETE",
            path("/runs/crons/{}", cron_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )

    async def search(
        self,
        *,
        assistant_id: str | UUID | None = None,
        thread_id: str | UUID | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: CronSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[CronSelectField] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Cron]:
        """One page of crons matching every filter given; `search_all` pages for you."""
        body = drop_none(
            {
                "assistant_id": assistant_id,
                "thread_id": thread_id,
                "enabled": enabled,
                "metadata": metadata,
                "limit": limit,
                "offset": offset,
                "sort_by": sort_by,
                "sort_order": sort_order,
                "select": None if select is None else list(select),
            }
        )
        result: builtins.list[Cron] = await self._http.request(
            "POST",
            "/runs/crons/search",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    def search_all(
        self,
        *,
        assistant_id: str | UUID | None = None,
        thread_id: str | UUID | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        sort_by: CronSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[CronSelectField] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Paginator[Cron]:
        """Every matching cron (up to `max_items`), fetched `page_size` at a time."""

        async def fetch(limit: int, offset: int) -> builtins.list[Cron]:
            return await self.search(
                assistant_id=assistant_id,
                thread_id=thread_id,
                enabled=enabled,
                metadata=metadata,
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
        assistant_id: str | UUID | None = None,
        thread_id: str | UUID | None = None,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> int:
        """How many crons match every filter given."""
        body = drop_none(
            {"assistant_id": assistant_id, "thread_id": thread_id, "metadata": metadata}
        )
        result: int = await self._http.request(
            "POST",
            "/runs/crons/count",
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result
