"""Runs: create a run and wait for it, stream it, or start it in the background; then manage it."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx

from . import _retry
from ._exceptions import APIConnectionError, APIStatusError, ReconnectExhaustedError
from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes
from ._pagination import DEFAULT_PAGE_SIZE, Paginator
from ._paths import parse_run_location, path
from ._payloads import (
    UNFINISHED,
    RunCreateOptions,
    RunOptions,
    check_result,
    check_version,
    rejoined_result,
    run_body,
    runs_path,
    stream_mode_param,
)
from ._resume import FROM_START
from ._retry import ReconnectPolicy
from ._run_events import OnRunCreated
from ._stream import OnReconnect, RunEvents, RunMetadata, RunStream, StreamPart

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from uuid import UUID

    from .types import (
        All,
        CancelAction,
        Checkpoint,
        Command,
        Config,
        DisconnectMode,
        Durability,
        IfNotExists,
        MultitaskStrategy,
        OnCompletionBehavior,
        Run,
        RunCreateMetadata,
        RunSelectField,
        RunStatus,
        StreamMode,
        StreamPartV2,
        StreamVersion,
    )

__all__ = ["RunCreateOptions", "RunOptions", "RunsClient"]

logger: logging.Logger = logging.getLogger("langgraph_client")

# A join connection that lasted this long was talking to the server (it sends a newline every
# 5 s): its break starts a fresh reconnect budget, like an event on a stream.
_JOIN_PROGRESS = 10.0


class RunsClient:
    """`client.runs`: everything about runs, stateless (`thread_id=None`) and on threads."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    async def wait(
        self,
        thread_id: str | UUID | None,
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
        raise_error: bool = True,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> dict[str, Any]:
        """Create a run, wait for it to finish, and return its final values (a dict of the
        state's channels; for a graph whose state is a list, that list).

        A run that failed on the server raises `RunFailedError` (unless `raise_error=False`, which
        returns the `{"__error__": ...}` body). If the connection drops mid-run, the run is
        rejoined (`reconnect`, the client's `ReconnectPolicy` by default; `on_reconnect(attempt,
        None)` before each try): its result if it went on, `RunCancelledError` if the server
        stopped it because of the drop, `RunOutcomeUnknownError` if it can no longer be read.

            result = await client.runs.wait(None, "agent", input={"messages": [...]})
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
        created: list[RunCreateMetadata] = []

        def on_headers(response_headers: httpx.Headers) -> None:
            # Before the body: the run id is known long before the run ends.
            found = parse_run_location(response_headers.get("content-location"))
            if found is not None:
                created.append(found)
                if on_run_created is not None:
                    on_run_created(found)

        try:
            result = await self._http.request(
                "POST",
                runs_path(thread_id, "/wait"),
                json=run_body(assistant_id, options),
                params=params,
                headers=headers,
                timeout=timeout,
                on_headers=on_headers,
            )
        except APIConnectionError as exc:
            run = created[-1] if created else None
            if run is None or run.get("thread_id") is None:
                raise  # no run known to rejoin (it may not even exist)
            logger.debug("wait for run %s lost its connection (%r); rejoining", run["run_id"], exc)
            policy = ReconnectPolicy.choose(self._http.reconnect, reconnect, None)
            rejoined: dict[str, Any] = await self._rejoin(
                run, policy.start(), on_reconnect, raise_error, timeout, headers, dropped=exc
            )
            return rejoined
        checked: dict[str, Any] = check_result(
            result, created[-1] if created else None, raise_error
        )
        return checked

    async def _rejoin(
        self,
        run: RunMetadata,
        budget: _retry.ReconnectBudget,
        on_reconnect: OnReconnect | None,
        raise_error: bool,
        timeout: TimeoutTypes | NotGiven,
        headers: Mapping[str, str] | None,
        *,
        dropped: BaseException | None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """Join `run` until it ends, through breaks, within `budget`; after a drop (`dropped`),
        the run's status decides what its join returned means (`rejoined_result`)."""
        join = path("/threads/{}/runs/{}/join", run["thread_id"], run["run_id"])
        # A first join is an ordinary request (its statuses are answers, retried as the table
        # says); after a drop, every attempt is sent once and the reconnect policy paces them.
        http = self._http if dropped is None else self._http.copy(max_retries=0)
        while True:
            if dropped is not None:
                await self._pause(run, budget, on_reconnect, dropped)
            started = _retry.now()
            try:
                result = await http.request(
                    "GET", join, params=params, headers=headers, timeout=timeout
                )
                if dropped is None:
                    return check_result(result, run, raise_error)
                status = await self._status(http, run, headers, timeout)
            except (APIConnectionError, APIStatusError) as exc:
                if isinstance(exc, APIStatusError) and (
                    dropped is None or exc.status_code not in _retry.RETRY_STATUSES
                ):
                    # An answer (404, 422, 401; or any status to a first join). After a drop,
                    # a proxy's 502/503 while the server restarts is worth another attempt.
                    raise
                if _retry.now() - started >= _JOIN_PROGRESS:
                    budget.progress()  # it was connected a while (the server was there)
                if dropped is None:
                    http = self._http.copy(max_retries=0)
                dropped = exc
                continue
            if status not in UNFINISHED:
                return rejoined_result(result, status, run, raise_error)

    async def _pause(
        self,
        run: RunMetadata,
        budget: _retry.ReconnectBudget,
        on_reconnect: OnReconnect | None,
        failure: BaseException,
    ) -> None:
        """Wait before the next attempt to reach `run`, or raise when the budget is spent."""
        delay = budget.next_delay()
        if delay is None:
            raise ReconnectExhaustedError(
                f"run {run['run_id']} on thread {run['thread_id']} could not be reached again: "
                f"{budget.attempts} attempts in {budget.waited:.1f}s ({failure}). It may still "
                "be running: join it later",
                run_id=run["run_id"],
                thread_id=run["thread_id"],
                attempts=budget.attempts,
                waited=budget.waited,
            ) from failure
        logger.debug(
            "rejoining run %s in %.2fs (attempt %d, %.1fs so far) after %r",
            run["run_id"],
            delay,
            budget.attempts,
            budget.waited,
            failure,
        )
        if on_reconnect is not None:
            on_reconnect(budget.attempts, None)
        await _retry.sleep(delay)

    async def _status(
        self,
        http: AsyncHttpClient,
        run: RunMetadata,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes | NotGiven,
    ) -> str | None:
        """The run's status; `None` if the run (or its thread) is gone."""
        try:
            found: Run = await http.request(
                "GET",
                path("/threads/{}/runs/{}", run["thread_id"], run["run_id"]),
                headers=headers,
                timeout=timeout,
            )
        except APIStatusError as exc:
            if exc.status_code == 404:
                return None
            raise
        status: str | None = found.get("status") if isinstance(found, dict) else None
        return status

    @overload
    def stream(
        self,
        thread_id: str | UUID | None,
        assistant_id: str | UUID,
        *,
        # <generated: RunCreateOptions parameters>
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
        # </generated>
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...] = "values",
        raise_error: bool = False,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v1"] = "v1",
    ) -> RunStream[StreamPart]: ...

    @overload
    def stream(
        self,
        thread_id: str | UUID | None,
        assistant_id: str | UUID,
        *,
        # <generated: RunCreateOptions parameters>
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
        # </generated>
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...] = "values",
        raise_error: bool = False,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v2"],
    ) -> RunStream[StreamPartV2]: ...

    def stream(
        self,
        thread_id: str | UUID | None,
        assistant_id: str | UUID,
        *,
        # <generated: RunCreateOptions parameters>
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
        # </generated>
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...] = "values",
        raise_error: bool = False,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: StreamVersion = "v1",
    ) -> RunStream[StreamPart] | RunStream[StreamPartV2]:
        """Create a run and stream its events as `StreamPart(event, data, id)`, or with
        `version="v2"` as typed dicts `{"type", "ns", "data", "interrupts"}` (`StreamPartV2`).

        With `stream_resumable=True`, a stream that breaks mid-run (reset, early close, silence
        past the idle timeout) reconnects and continues after the last event it delivered, as
        `reconnect` says (the client's `ReconnectPolicy` by default; `max_reconnects` adds a
        bound on attempts per break), calling `on_reconnect(attempt, last_event_id)` before each
        try. `raise_error=True` turns an `error` event into `RunFailedError`.

            async with client.runs.stream(None, "agent", input=inp, stream_mode="updates") as s:
                async for part in s:
                    print(part.event, part.data)
        """
        # <generated: RunCreateOptions dict>
        options: RunCreateOptions = {
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
        }
        # </generated>
        body = run_body(assistant_id, {"stream_mode": stream_mode, **options})
        request = self._http.build_request(
            "POST",
            runs_path(thread_id, "/stream"),
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
            stream=True,
        )
        resume = None
        if options.get("stream_resumable"):
            resume = self._resumer(None, timeout, headers)
        events = RunEvents(
            resume=resume,
            on_run_created=on_run_created,
            raise_error=raise_error,
            thread_id=None if thread_id is None else str(thread_id),
        )
        return RunStream(
            self._http,
            request,
            events,
            on_reconnect=on_reconnect,
            reconnect=ReconnectPolicy.choose(self._http.reconnect, reconnect, max_reconnects),
            version=check_version(version),
        )

    def _resumer(
        self,
        stream_mode: Any,
        timeout: TimeoutTypes | NotGiven,
        headers: Mapping[str, str] | None,
        cancel_on_disconnect: bool | None = None,
    ) -> Callable[[RunMetadata | None, str | None], httpx.Request | None]:
        def resume(run: RunMetadata | None, last_event_id: str | None) -> httpx.Request | None:
            if run is None or not run.get("thread_id"):
                # A stateless stream names no thread, and this server has no thread-less join
                # route, so such a stream cannot be resumed.
                return None
            after = {} if last_event_id is None else {"last-event-id": last_event_id}
            return self._http.build_request(
                "GET",
                path("/threads/{}/runs/{}/stream", run["thread_id"], run["run_id"]),
                params={
                    "stream_mode": stream_mode_param(stream_mode),
                    "cancel_on_disconnect": cancel_on_disconnect,
                },
                headers={**(headers or {}), **after},
                timeout=timeout,
                stream=True,
            )

        return resume

    async def create(
        self,
        thread_id: str | UUID | None,
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
        on_run_created: OnRunCreated | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Start a background run and return it (status "pending") without waiting."""
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
        location: list[str | None] = []
        run: Run = await self._http.request(
            "POST",
            runs_path(thread_id),
            json=run_body(assistant_id, options),
            params=params,
            headers=headers,
            timeout=timeout,
            on_headers=lambda response_headers: location.append(
                response_headers.get("content-location")
            ),
        )
        if on_run_created is not None:
            # The body names the run's thread even for stateless runs; Content-Location does not.
            found = parse_run_location(location[-1] if location else None)
            meta: RunCreateMetadata = {
                "run_id": (found and found["run_id"]) or run["run_id"],
                "thread_id": (found and found["thread_id"]) or run.get("thread_id"),
            }
            on_run_created(meta)
        return run

    async def create_batch(
        self,
        payloads: builtins.list[Mapping[str, Any]],
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Run]:
        """Start several stateless background runs in one request.

        Each payload is a run body: `{"assistant_id": ..., "input": ..., ...}`."""
        body = [
            run_body(p["assistant_id"], {k: v for k, v in p.items() if k != "assistant_id"})
            for p in payloads
        ]
        result: builtins.list[Run] = await self._http.request(
            "POST", "/runs/batch", json=body, params=params, headers=headers, timeout=timeout
        )
        return result

    async def list(
        self,
        thread_id: str | UUID,
        *,
        limit: int = 10,
        offset: int = 0,
        status: RunStatus | None = None,
        select: Sequence[RunSelectField] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Run]:
        """The thread's runs, newest first, one page of `limit` from `offset`."""
        query: dict[str, Any] = {"limit": limit, "offset": offset, "status": status}
        if select:
            query["select"] = builtins.list(select)
        result: builtins.list[Run] = await self._http.request(
            "GET",
            path("/threads/{}/runs", thread_id),
            params={**query, **(params or {})},
            headers=headers,
            timeout=timeout,
        )
        return result

    def list_all(
        self,
        thread_id: str | UUID,
        *,
        status: RunStatus | None = None,
        select: Sequence[RunSelectField] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Paginator[Run]:
        """Every run of the thread (up to `max_items`), fetched `page_size` at a time.

        async for run in client.runs.list_all(thread_id, status="success"):
            ...
        """

        async def fetch(limit: int, offset: int) -> builtins.list[Run]:
            return await self.list(
                thread_id,
                limit=limit,
                offset=offset,
                status=status,
                select=select,
                headers=headers,
                params=params,
                timeout=timeout,
            )

        path("/threads/{}/runs", thread_id)  # a missing id fails here, not on the first page
        return Paginator(fetch, page_size=page_size, max_items=max_items)

    async def get(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> Run:
        """One run."""
        result: Run = await self._http.request(
            "GET",
            path("/threads/{}/runs/{}", thread_id, run_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        return result

    async def cancel(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        wait: bool = False,
        action: CancelAction = "interrupt",
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Stop a run on the server: `interrupt` keeps its checkpoints, `rollback` deletes the run.

        With `wait=True` the call returns once the run has stopped."""
        await self._http.request(
            "POST",
            path("/threads/{}/runs/{}/cancel", thread_id, run_id),
            params={"wait": wait, "action": action, **(params or {})},
            headers=headers,
            timeout=timeout,
        )

    async def cancel_many(
        self,
        *,
        thread_id: str | UUID | None = None,
        run_ids: Sequence[str | UUID] | None = None,
        status: RunStatus | None = None,
        action: CancelAction = "interrupt",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Cancel several runs: by thread (and run ids), or every run with a `status`."""
        body: dict[str, Any] = {}
        if thread_id is not None:
            body["thread_id"] = thread_id
        if run_ids is not None:
            body["run_ids"] = builtins.list(run_ids)
        if status is not None:
            body["status"] = status
        await self._http.request(
            "POST",
            "/runs/cancel",
            json=body,
            params={"action": action, **(params or {})},
            headers=headers,
            timeout=timeout,
        )

    async def join(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        *,
        raise_error: bool = True,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> dict[str, Any]:
        """Wait for a run to finish and return its final values; a failed run raises
        `RunFailedError` like `wait` does (`raise_error=False` returns the error body).

        A dropped connection is rejoined as in `wait` (same policy, same outcomes)."""
        policy = ReconnectPolicy.choose(self._http.reconnect, reconnect, None)
        run = {"run_id": str(run_id), "thread_id": str(thread_id)}
        path("/threads/{}/runs/{}/join", thread_id, run_id)  # a missing id fails before I/O
        checked: dict[str, Any] = await self._rejoin(
            run,
            policy.start(),
            on_reconnect,
            raise_error,
            timeout,
            headers,
            dropped=None,
            params=params,
        )
        return checked

    @overload
    def join_stream(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        *,
        cancel_on_disconnect: bool = False,
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...]
        | None = None,
        last_event_id: str | None = None,
        raise_error: bool = False,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v1"] = "v1",
    ) -> RunStream[StreamPart]: ...

    @overload
    def join_stream(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        *,
        cancel_on_disconnect: bool = False,
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...]
        | None = None,
        last_event_id: str | None = None,
        raise_error: bool = False,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v2"],
    ) -> RunStream[StreamPartV2]: ...

    def join_stream(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        *,
        cancel_on_disconnect: bool = False,
        stream_mode: StreamMode
        | Sequence[StreamMode]
        | builtins.list[str]
        | tuple[str, ...]
        | None = None,
        last_event_id: str | None = None,
        raise_error: bool = False,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        max_reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: StreamVersion = "v1",
    ) -> RunStream[StreamPart] | RunStream[StreamPartV2]:
        """Stream an existing run's events: live from now on, or after `last_event_id` (`"0"`, or
        `"-1"` which is sent as `"0"`: the whole run, replayed; the run must be
        `stream_resumable`). With `version="v2"`, as
        `StreamPartV2` dicts like `stream`.

        Same stream object as `stream`: it resumes by itself after a break, and a live join
        stays live (no event from before it joined). Subgraph events come through when the run
        was created with `stream_subgraphs=True`."""
        if last_event_id == "-1":
            # The official SDK's "from the start". The Postgres runtime answers `-1` from one
            # worker's memory only (a join landing on another worker misses the first attempt);
            # `0` replays the whole run on every runtime.
            last_event_id = FROM_START
        run = {"run_id": str(run_id), "thread_id": str(thread_id)}
        resume = self._resumer(stream_mode, timeout, headers, cancel_on_disconnect or None)
        request = self._http.build_request(
            "GET",
            path("/threads/{}/runs/{}/stream", thread_id, run_id),
            params={
                "stream_mode": stream_mode_param(stream_mode),
                "cancel_on_disconnect": cancel_on_disconnect or None,
                **(params or {}),
            },
            headers={**(headers or {}), "last-event-id": last_event_id}
            if last_event_id
            else headers,
            timeout=timeout,
            stream=True,
        )
        events = RunEvents(
            resume=resume, raise_error=raise_error, run=run, last_event_id=last_event_id, live=True
        )
        return RunStream(
            self._http,
            request,
            events,
            on_reconnect=on_reconnect,
            reconnect=ReconnectPolicy.choose(self._http.reconnect, reconnect, max_reconnects),
            version=check_version(version),
        )

    async def delete(
        self,
        thread_id: str | UUID,
        run_id: str | UUID,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Delete a finished run."""
        await self._http.request(
            "DELETE",
            path("/threads/{}/runs/{}", thread_id, run_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )
