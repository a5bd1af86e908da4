"""Runs: create a run and wait for it, stream it, or start it in the background; then manage it."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

import httpx

from ._exceptions import APIConnectionError, RunFailedError
from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven, TimeoutTypes, drop_none
from ._pagination import DEFAULT_PAGE_SIZE, Paginator
from ._paths import parse_run_location, path
from ._stream import DEFAULT_MAX_RECONNECTS, RunMetadata, RunStream, StreamPart

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from typing_extensions import Unpack

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

logger = logging.getLogger("langgraph_client")

OnRunCreated = Callable[["RunCreateMetadata"], Any]


class RunCreateOptions(TypedDict, total=False):
    """The run-create body shared by `wait`, `stream`, `create` and crons; `None` is not sent."""

    input: Any
    """The graph's input."""
    command: Command | None
    """A command to run instead of input, e.g. `{"resume": ...}` after an interrupt."""
    metadata: Mapping[str, Any] | None
    """Metadata stored with the run."""
    config: Config | None
    """The run's config (tags, recursion_limit, configurable)."""
    context: Mapping[str, Any] | None
    """Static context for the graph's runtime."""
    checkpoint: Checkpoint | None
    """Start from this checkpoint (threads only)."""
    checkpoint_id: str | None
    """Start from this checkpoint id (threads only)."""
    checkpoint_during: bool | None
    """Deprecated: checkpoint during the run; use `durability`."""
    interrupt_before: All | Sequence[str] | None
    """Nodes to interrupt before, or "*"."""
    interrupt_after: All | Sequence[str] | None
    """Nodes to interrupt after, or "*"."""
    webhook: str | None
    """A URL the server calls when the run ends."""
    on_disconnect: DisconnectMode | None
    """What the server does to the run when this client disconnects: "cancel" or "continue"."""
    on_completion: OnCompletionBehavior | None
    """Stateless runs: "delete" (default) or "keep" the temporary thread."""
    multitask_strategy: MultitaskStrategy | None
    """What to do if the thread is busy: "reject" (409), "interrupt", "rollback", "enqueue"."""
    if_not_exists: IfNotExists | None
    """Threads: "create" a missing thread, or "reject" (404, the default)."""
    after_seconds: float | None
    """Delay the start of the run."""
    durability: Durability | None
    """When checkpoints are persisted: "sync", "async" or "exit"."""
    stream_subgraphs: bool | None
    """Include subgraph events, named `mode|node:task_id`."""
    stream_resumable: bool | None
    """Keep the stream's events on the server so a broken stream can resume (and be joined)."""
    feedback_keys: Sequence[str] | None
    """LangSmith feedback keys to create for the run."""
    langsmith_tracing: Mapping[str, Any] | None
    """LangSmith tracing options for the run (project, example id)."""
    strict_resume: bool | None
    """Fail a resume that answers no waiting interrupt instead of ignoring it (newer servers)."""


class RunOptions(RunCreateOptions, total=False):
    """`RunCreateOptions` plus `stream_mode`, for the calls where it is not a named parameter."""

    stream_mode: StreamMode | Sequence[StreamMode] | None
    """What the run's stream carries (kept for joiners of a background run)."""


_OPTION_NAMES = frozenset(RunOptions.__annotations__)


def run_body(assistant_id: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a run: unknown options are a `TypeError`, `None`s are dropped."""
    unknown = options.keys() - _OPTION_NAMES
    if unknown:
        raise TypeError(f"unexpected run option(s): {', '.join(sorted(unknown))}")
    if not assistant_id:
        raise ValueError("assistant_id is required (an assistant id or a graph name)")
    body = {"assistant_id": assistant_id, **drop_none(options)}
    if "langsmith_tracing" in body:  # the official SDK's argument name; the wire name differs
        body["langsmith_tracer"] = body.pop("langsmith_tracing")
    return body


def _check_version(version: str) -> str:
    if version not in ("v1", "v2"):
        raise ValueError(f'version must be "v1" or "v2", got {version!r}')
    return version


def _runs_path(thread_id: str | None, suffix: str = "") -> str:
    if thread_id is None:
        return "/runs" + suffix
    return path("/threads/{}/runs", thread_id) + suffix


def _check_result(result: Any, run: RunMetadata | None, raise_error: bool) -> Any:
    if raise_error and isinstance(result, dict) and "__error__" in result:
        info = result["__error__"]
        info = info if isinstance(info, dict) else {"message": info}
        raise RunFailedError(
            error=info.get("error"),
            message=info.get("message"),
            run_id=run["run_id"] if run else None,
            thread_id=run.get("thread_id") if run else None,
        )
    return result


class RunsClient:
    """`client.runs`: everything about runs, stateless (`thread_id=None`) and on threads."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http

    async def wait(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        raise_error: bool = True,
        on_run_created: OnRunCreated | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **options: Unpack[RunOptions],
    ) -> builtins.list[dict[str, Any]] | dict[str, Any]:
        """Create a run, wait for it to finish, and return its final values.

        A run that failed on the server raises `RunFailedError` (unless `raise_error=False`, which
        returns the `{"__error__": ...}` body). If the connection drops mid-run and the run was
        created with `on_disconnect="continue"`, the result is fetched with `join` instead.

            result = await client.runs.wait(None, "agent", input={"messages": [...]})
        """
        request = self._http.build_request(
            "POST",
            _runs_path(thread_id, "/wait"),
            json=run_body(assistant_id, options),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        response = await self._http.send(request, retry="connect")
        run = parse_run_location(response.headers.get("content-location"))
        if run is not None and on_run_created is not None:
            try:
                on_run_created(run)
            except BaseException:
                await response.aclose()
                raise
        try:
            result = await self._http.read_json(response)
        except APIConnectionError as exc:
            if run is None or run.get("thread_id") is None:
                raise
            if options.get("on_disconnect") != "continue":
                # The server cancels a run whose wait connection drops; joining would return a
                # half-finished state as if it were the result.
                raise
            logger.debug("wait for run %s lost its connection (%r); joining", run["run_id"], exc)
            result = await self._join_after_drop(run, timeout, headers)
        checked: builtins.list[dict[str, Any]] | dict[str, Any] = _check_result(
            result, run, raise_error
        )
        return checked

    async def _join_after_drop(
        self,
        run: RunMetadata,
        timeout: TimeoutTypes | NotGiven,
        headers: Mapping[str, str] | None,
    ) -> Any:
        # A join is a safe GET: the request path's own retries, with their backoff, are the
        # bounded reconnect loop.
        rejoin = self._http.copy(max_retries=DEFAULT_MAX_RECONNECTS)
        return await rejoin.request(
            "GET",
            path("/threads/{}/runs/{}/join", run["thread_id"], run["run_id"]),
            headers=headers,
            timeout=timeout,
        )

    @overload
    def stream(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        stream_mode: StreamMode | Sequence[StreamMode] = "values",
        raise_error: bool = False,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v1"] = "v1",
        **options: Unpack[RunCreateOptions],
    ) -> RunStream[StreamPart]: ...

    @overload
    def stream(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        stream_mode: StreamMode | Sequence[StreamMode] = "values",
        raise_error: bool = False,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v2"],
        **options: Unpack[RunCreateOptions],
    ) -> RunStream[StreamPartV2]: ...

    def stream(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        stream_mode: StreamMode | Sequence[StreamMode] = "values",
        raise_error: bool = False,
        on_run_created: OnRunCreated | None = None,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: StreamVersion = "v1",
        **options: Unpack[RunCreateOptions],
    ) -> RunStream[StreamPart] | RunStream[StreamPartV2]:
        """Create a run and stream its events as `StreamPart(event, data, id)`, or with
        `version="v2"` as typed dicts `{"type", "ns", "data", "interrupts"}` (`StreamPartV2`).

        With `stream_resumable=True`, a stream that breaks mid-run (reset, early close, silence
        past the idle timeout) reconnects and continues after the last event it delivered, up to
        `max_reconnects` times, calling `on_reconnect(attempt, last_event_id)` before each try.
        `raise_error=True` turns an `error` event into `RunFailedError`.

            async with client.runs.stream(None, "agent", input=inp, stream_mode="updates") as s:
                async for part in s:
                    print(part.event, part.data)
        """
        body = run_body(assistant_id, {"stream_mode": stream_mode, **options})
        request = self._http.build_request(
            "POST",
            _runs_path(thread_id, "/stream"),
            json=body,
            params=params,
            headers=headers,
            timeout=timeout,
            stream=True,
        )
        resume = None
        if options.get("stream_resumable"):
            resume = self._resumer(None, timeout, headers)
        return RunStream(
            self._http,
            request,
            retry="connect",
            resume=resume,
            on_run_created=on_run_created,
            on_reconnect=on_reconnect,
            raise_error=raise_error,
            max_reconnects=max_reconnects,
            thread_id=thread_id,
            version=_check_version(version),
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
            return self._http.build_request(
                "GET",
                path("/threads/{}/runs/{}/stream", run["thread_id"], run["run_id"]),
                params={"stream_mode": stream_mode, "cancel_on_disconnect": cancel_on_disconnect},
                headers={**(headers or {}), "last-event-id": last_event_id or "-1"},
                timeout=timeout,
                stream=True,
            )

        return resume

    async def create(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        on_run_created: OnRunCreated | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **options: Unpack[RunOptions],
    ) -> Run:
        """Start a background run and return it (status "pending") without waiting."""
        request = self._http.build_request(
            "POST",
            _runs_path(thread_id),
            json=run_body(assistant_id, options),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        response = await self._http.send(request, retry="connect")
        run: Run = await self._http.read_json(response)
        if on_run_created is not None:
            # The body names the run's thread even for stateless runs; Content-Location does not.
            found = parse_run_location(response.headers.get("content-location"))
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
        thread_id: str,
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
        thread_id: str,
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
        thread_id: str,
        run_id: str,
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
        thread_id: str,
        run_id: str,
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
            retry="safe",  # cancelling twice is harmless
        )

    async def cancel_many(
        self,
        *,
        thread_id: str | None = None,
        run_ids: Sequence[str] | None = None,
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
            retry="safe",
        )

    async def join(
        self,
        thread_id: str,
        run_id: str,
        *,
        raise_error: bool = True,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> dict[str, Any]:
        """Wait for a run to finish and return its final values; a failed run raises
        `RunFailedError` like `wait` does (`raise_error=False` returns the error body)."""
        result = await self._http.request(
            "GET",
            path("/threads/{}/runs/{}/join", thread_id, run_id),
            params=params,
            headers=headers,
            timeout=timeout,
        )
        checked: dict[str, Any] = _check_result(
            result, {"run_id": run_id, "thread_id": thread_id}, raise_error
        )
        return checked

    @overload
    def join_stream(
        self,
        thread_id: str,
        run_id: str,
        *,
        cancel_on_disconnect: bool = False,
        stream_mode: StreamMode | Sequence[StreamMode] | None = None,
        last_event_id: str | None = None,
        raise_error: bool = False,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v1"] = "v1",
    ) -> RunStream[StreamPart]: ...

    @overload
    def join_stream(
        self,
        thread_id: str,
        run_id: str,
        *,
        cancel_on_disconnect: bool = False,
        stream_mode: StreamMode | Sequence[StreamMode] | None = None,
        last_event_id: str | None = None,
        raise_error: bool = False,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: Literal["v2"],
    ) -> RunStream[StreamPartV2]: ...

    def join_stream(
        self,
        thread_id: str,
        run_id: str,
        *,
        cancel_on_disconnect: bool = False,
        stream_mode: StreamMode | Sequence[StreamMode] | None = None,
        last_event_id: str | None = None,
        raise_error: bool = False,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        version: StreamVersion = "v1",
    ) -> RunStream[StreamPart] | RunStream[StreamPartV2]:
        """Stream an existing run's events, from the start or after `last_event_id`; with
        `version="v2"`, as `StreamPartV2` dicts like `stream`.

        Same stream object as `stream`: it resumes by itself after a break. Subgraph events come
        through when the run was created with `stream_subgraphs=True`."""
        run = {"run_id": run_id, "thread_id": thread_id}
        resume = self._resumer(stream_mode, timeout, headers, cancel_on_disconnect or None)
        request = self._http.build_request(
            "GET",
            path("/threads/{}/runs/{}/stream", thread_id, run_id),
            params={
                "stream_mode": stream_mode,
                "cancel_on_disconnect": cancel_on_disconnect or None,
                **(params or {}),
            },
            headers={**(headers or {}), "last-event-id": last_event_id}
            if last_event_id
            else headers,
            timeout=timeout,
            stream=True,
        )
        return RunStream(
            self._http,
            request,
            retry="safe",
            resume=resume,
            on_reconnect=on_reconnect,
            raise_error=raise_error,
            max_reconnects=max_reconnects,
            run=run,
            last_event_id=last_event_id,
            version=_check_version(version),
        )

    async def delete(
        self,
        thread_id: str,
        run_id: str,
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
