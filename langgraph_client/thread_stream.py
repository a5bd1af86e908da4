"""`client.threads.stream(...)`: one session that streams a whole thread, across runs.

    async with client.threads.stream(assistant_id="agent") as thread:
        await thread.run.start(input={"messages": [{"role": "user", "content": "hi"}]})
        async for message in thread.messages:
            async for text in message:
                print(text, end="")
        print(await thread.output)

Commands go over `POST /threads/{id}/commands` (the request path); events over ONE shared
`POST /threads/{id}/stream/events` connection (the stream path: SSE decoder, idle detection,
reconnects), read on demand by whichever projection is waiting. The bookkeeping is pure
(`_thread_protocol.py`: frames and the cursor; `_thread_runs.py`: runs); the projections are
in `thread_projections.py`; this module only sends, reads and waits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from . import _retry
from ._exceptions import (
    APIResponseValidationError,
    RunFailedError,
    StreamLostError,
    ThreadCommandError,
)
from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven
from ._paths import path
from ._retry import ReconnectPolicy
from ._run_events import OnReconnect
from ._stream import DEFAULT_MAX_RECONNECTS, RunStream, StreamPart
from ._thread_protocol import (
    CHANNELS,
    DEFAULT_CHANNELS,
    InterruptPayload,
    ThreadEvents,
)
from ._thread_runs import RunLog, ThreadLog
from .thread_projections import (
    EventView,
    Extensions,
    Interleaved,
    MessagesProjection,
    MessageStream,
    SubgraphHandle,
    SubgraphsProjection,
    TextStream,
    ToolCallsProjection,
    ToolCallStream,
    ValuesProjection,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AgentInfo",
    "AsyncThreadStream",
    "MessageStream",
    "RunCommands",
    "SubgraphHandle",
    "TextStream",
    "ToolCallStream",
]

T = TypeVar("T")
Scope = tuple[str, ...]


class AsyncThreadStream:
    """A streaming session on one thread. Use it as `async with`; leaving closes the connection.

    Projections (`values`, `messages`, `tool_calls`, `subgraphs`, `events`, `subscribe(...)`,
    `extensions[name]`) follow the session's current run, from its first event, and end when it
    completes, fails or is interrupted. Iterating them again after `run.start` follows the new run.
    """

    def __init__(
        self,
        http: AsyncHttpClient,
        thread_id: str | None,
        *,
        assistant_id: str,
        headers: Mapping[str, str] | None = None,
        run_start_timeout: float | None = None,
        channels: Sequence[str] | None = None,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
    ) -> None:
        self.thread_id: str = thread_id or str(uuid.uuid4())
        """The thread's id; minted here when none is given (the server creates the thread on
        the first `run.start`)."""
        self.assistant_id: str = assistant_id
        self._http = http
        self._headers = dict(headers or {})
        self._run_start_timeout = run_start_timeout
        self._channels = list(DEFAULT_CHANNELS)
        for channel in channels or ():
            self._want(channel)
        self._reconnect = reconnect or http.reconnect
        self._on_reconnect = on_reconnect
        self._log = ThreadLog()
        self._events = ThreadEvents(self.thread_id, self._request)
        self._stream: RunStream[StreamPart] | None = None
        self._stream_iter: AsyncIterator[StreamPart] | None = None
        self._stream_channels: list[str] = []
        self._lock = asyncio.Lock()
        self._generation = 0  # bumped for every event read: waiters compare against it
        self._ends = 0  # connections ended by the server in a row without a new event
        self._command_id = 0
        self._entered = False
        self._closed = False
        self.run: RunCommands = RunCommands(self)
        """`run.start(...)` and `run.respond(...)`."""
        self.agent: AgentInfo = AgentInfo(self)
        """`agent.get_tree()`: the assistant's graph."""
        self.values: ValuesProjection = ValuesProjection(self, ())
        """State snapshots of the current run as they come; `values.get()`: its final state."""
        self.messages: MessagesProjection = MessagesProjection(self, ())
        """One `MessageStream` per message of the current run."""
        self.tool_calls: ToolCallsProjection = ToolCallsProjection(self, ())
        """One `ToolCallStream` per tool execution of the current run."""
        self.subgraphs: SubgraphsProjection = SubgraphsProjection(self, ())
        """One `SubgraphHandle` per subgraph invocation of the current run."""
        self.extensions: Extensions = Extensions(self, ())
        """`extensions[name]`: the payloads of the `custom:<name>` channel."""
        self.subagents: SubgraphsProjection = self.subgraphs
        """The official SDK's other name for `subgraphs`."""

    # The run's outcome

    @property
    def output(self) -> Awaitable[Any]:
        """`await thread.output`: the current run's final state; raises `RunFailedError` if it
        failed. An interrupted run gives the state at the interrupt (see `interrupts`)."""
        return self._output(self._log.current)

    async def _output(self, run: RunLog | None) -> Any:
        if run is None:
            raise RuntimeError("no run in this session yet: call `await thread.run.start(...)`")
        await self._wait(lambda: run.done)
        if run.status == "failed":
            raise RunFailedError(
                error=None, message=run.error, run_id=run.run_id, thread_id=self.thread_id
            )
        return run.values

    @property
    def interrupted(self) -> bool:
        """Whether the current run stopped at an interrupt (as far as events were read)."""
        run = self._log.current
        return run is not None and run.status == "interrupted"

    @property
    def interrupts(self) -> list[InterruptPayload]:
        """The current run's interrupts, waiting for `run.respond(...)`."""
        run = self._log.current
        return list(run.interrupts) if run is not None and run.status == "interrupted" else []

    @property
    def events(self) -> EventView:
        """Every event of the current run, in order (the raw wire envelopes)."""
        return EventView(self, None, None, None)

    def interleave_projections(self, channels: Sequence[str]) -> Interleaved:
        """`(name, item)` pairs of several projections of the current run, in server order:
        `values`, `updates`, `tasks`, `custom`, `messages`, `tool_calls`, `subgraphs`, or an
        extension's name (its `custom:<name>` payloads)."""
        return Interleaved(self, channels)

    def subscribe(
        self,
        channels: Sequence[str],
        namespaces: Sequence[Sequence[str]] | None = None,
        depth: int | None = None,
    ) -> EventView:
        """The current run's events on `channels`, under `namespaces`, at most `depth` deep.

        A view of the session's one connection. A channel it does not carry yet (`tasks`,
        `custom:<name>`) is added; once the connection is open, that reconnects it, and the
        new channel's events before that point are not replayed.
        """
        for channel in channels:
            self._want(channel)
        return EventView(self, list(channels), namespaces, depth)

    # Context management

    async def __aenter__(self) -> AsyncThreadStream:
        if self._closed:
            raise RuntimeError("this thread stream is closed; open a new one")
        self._entered = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the event connection. Runs on the server go on; `runs.cancel` stops one."""
        self._closed = True
        await self._disconnect()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<AsyncThreadStream thread_id={self.thread_id} {state}>"

    # Commands

    async def _command(
        self, method: str, params: dict[str, Any], timeout: float | NotGiven | None = NOT_GIVEN
    ) -> Any:
        self._check_open()
        self._command_id += 1
        body = {"id": self._command_id, "method": method, "params": params}
        reply = await self._http.request(
            "POST",
            path("/threads/{}/commands", self.thread_id),
            json=body,
            headers=self._headers,
            timeout=timeout,
        )
        if isinstance(reply, dict) and reply.get("type") == "success":
            return reply.get("result")
        if isinstance(reply, dict) and reply.get("type") == "error":
            raise ThreadCommandError(
                method=method, error=reply.get("error"), message=reply.get("message")
            )
        raise APIResponseValidationError(f"{method}: unexpected reply {str(reply)[:200]!r}")

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this thread stream is closed")
        if not self._entered:
            raise RuntimeError("use the thread stream as `async with client.threads.stream(...)`")

    # Events: one connection, read by whichever waiter needs the next event

    def _want(self, channel: str) -> None:
        if channel not in CHANNELS and not channel.startswith("custom:"):
            raise ValueError(
                f"unknown channel {channel!r}; one of {sorted(CHANNELS)} or custom:<name>"
            )
        if channel.startswith("custom:") and "custom" in self._channels:
            return  # `custom` carries the named channels too
        if channel not in self._channels:
            self._channels.append(channel)

    def _request(self, since: int | None) -> httpx.Request:
        self._stream_channels = list(self._channels)
        body: dict[str, Any] = {"channels": self._stream_channels}
        if since is not None:
            body["since"] = since
        return self._http.build_request(
            "POST",
            path("/threads/{}/stream/events", self.thread_id),
            json=body,
            headers=self._headers,
            stream=True,
        )

    async def _advance(self, seen: int) -> None:
        """Return once an event newer than generation `seen` was read (by us or another task)."""
        async with self._lock:
            while self._generation == seen:
                await self._read_one()

    async def _read_one(self) -> None:
        self._check_open()
        if self._stream is not None and self._stream_channels != self._channels:
            await self._disconnect()  # a projection needs a channel this connection lacks
        if self._stream is None or self._stream_iter is None:
            self._stream = RunStream(
                self._http,
                self._events.request(),
                self._events,
                on_reconnect=self._on_reconnect,
                reconnect=self._reconnect,
            )
            self._stream_iter = self._stream.__aiter__()
        try:
            part = await self._stream_iter.__anext__()
        except StopAsyncIteration:
            # The server never ends this stream on its own accord: re-open it, bounded.
            await self._disconnect()
            self._ends += 1
            limit = self._reconnect.max_attempts
            if self._ends > (DEFAULT_MAX_RECONNECTS if limit is None else limit):
                raise StreamLostError(
                    f"the thread's event stream kept closing ({self._ends} times in a row "
                    "without a new event)",
                    last_event_id=self._events.last_event_id,
                    attempts=self._ends,
                ) from None
            await _retry.sleep(self._reconnect.delay(self._ends - 1))
            return
        except BaseException:
            await self._disconnect()  # a half-read response is of no further use
            raise
        self._ends = 0
        self._log.feed(part.data)  # checked and new: `ThreadEvents` dropped the rest
        self._generation += 1

    async def _disconnect(self) -> None:
        stream, self._stream, self._stream_iter = self._stream, None, None
        if stream is not None:
            await stream.aclose()

    async def _wait(self, done: Callable[[], bool]) -> None:
        """Read events until `done()` holds."""
        while not done():
            await self._advance(self._generation)

    async def _follow(
        self,
        run: RunLog | None,
        items: Callable[[RunLog], Sequence[T]],
        until: Callable[[], bool] | None = None,
    ) -> AsyncGenerator[T, None]:
        """Yield `items(run)` as the list grows, until the run (or `until()`) is done."""
        if run is None:
            raise RuntimeError("no run in this session yet: call `await thread.run.start(...)`")
        index = 0
        while True:
            seen = self._generation
            current = items(run)
            while index < len(current):
                yield current[index]
                index += 1
            if run.done or (until is not None and until()):
                if index >= len(items(run)):
                    return
                continue
            await self._advance(seen)


class RunCommands:
    """`thread.run`: start a run on the thread, or answer its interrupt."""

    def __init__(self, thread: AsyncThreadStream) -> None:
        self._thread = thread

    async def start(
        self,
        *,
        input: Any = None,
        config: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        langsmith_tracing: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start a run of the session's assistant; returns `{"run_id": ...}`. The run becomes
        the one that `values`, `output` and the other projections follow."""
        thread = self._thread
        params: dict[str, Any] = {"assistant_id": thread.assistant_id}
        for key, value in (
            ("input", input),
            ("config", config),
            ("metadata", metadata),
            ("langsmith_tracer", langsmith_tracing),
        ):
            if value is not None:
                params[key] = value
        run = thread._log.expect("start")
        timeout = NOT_GIVEN if thread._run_start_timeout is None else thread._run_start_timeout
        try:
            result = await thread._command("run.start", params, timeout)
            run_id = result.get("run_id") if isinstance(result, dict) else None
            if not isinstance(run_id, str):
                raise APIResponseValidationError(f"run.start: no run_id in {result!r}")
        except BaseException:
            thread._log.cancel(run)
            raise
        thread._log.started(run, run_id)
        return dict(result)

    async def respond(self, response: Any, *, interrupt_id: str | None = None) -> Any:
        """Answer an interrupt of the current run; the server resumes the thread in a new run,
        which the projections then follow. Waits for the current run to stop first.

        Without `interrupt_id` there must be exactly one interrupt waiting.
        """
        thread = self._thread
        current = thread._log.current
        if current is not None:
            await thread._wait(lambda: current.done)
        waiting = thread.interrupts
        if interrupt_id is None:
            if len(waiting) != 1:
                raise RuntimeError(
                    f"run.respond needs an interrupt_id: {len(waiting)} interrupts are waiting"
                )
            match: InterruptPayload | None = waiting[0]
        else:
            match = next((i for i in waiting if i["interrupt_id"] == interrupt_id), None)
        params = {
            "interrupt_id": match["interrupt_id"] if match else interrupt_id,
            "namespace": match["namespace"] if match else [],
            "response": response,
        }
        run = thread._log.expect("resume", None if current is not None else interrupt_id)
        try:
            return await thread._command("input.respond", params)
        except BaseException:
            thread._log.cancel(run)
            raise


class AgentInfo:
    """`thread.agent`: facts about the session's assistant."""

    def __init__(self, thread: AsyncThreadStream) -> None:
        self._thread = thread

    async def get_tree(
        self, *, xray: int | bool = False, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The assistant's graph (nodes and edges), as `assistants.get_graph` returns it."""
        thread = self._thread
        result: dict[str, Any] = await thread._http.request(
            "GET",
            path("/assistants/{}/graph", thread.assistant_id),
            params={"xray": xray} if xray else None,
            headers={**thread._headers, **(headers or {})},
        )
        return result
