"""`client.threads.stream(...)`: one session that streams a whole thread, across runs.

    async with client.threads.stream(assistant_id="agent") as thread:
        await thread.run.start(input={"messages": [{"role": "user", "content": "hi"}]})
        async for message in thread.messages:
            async for text in message:
                print(text, end="")
        print(await thread.output)

Commands go over `POST /threads/{id}/commands` (the request path); events over ONE shared
`POST /threads/{id}/stream/events` connection (the stream path: SSE decoder, idle detection,
reconnects), read on demand by whichever projection is waiting. The bookkeeping is pure and
lives in `_thread_protocol.py`; this module only reads, waits and sends.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from . import _retry
from ._concurrency import AwaitsGet
from ._exceptions import (
    APIResponseValidationError,
    RunFailedError,
    StreamLostError,
    ThreadCommandError,
)
from ._http import NOT_GIVEN, AsyncHttpClient, NotGiven
from ._paths import path
from ._retry import ReconnectPolicy
from ._stream import DEFAULT_MAX_RECONNECTS, RunStream, StreamPart
from ._thread_protocol import (
    CHANNELS,
    DEFAULT_CHANNELS,
    InterruptPayload,
    Message,
    MessageState,
    RunLog,
    SubgraphInfo,
    ThreadEvent,
    ThreadEvents,
    ThreadLog,
    ToolCallState,
    in_scope,
    matches,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AsyncThreadStream",
    "MessageStream",
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
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
    ) -> None:
        self.thread_id: str = thread_id or str(uuid.uuid4())
        """The thread's id; minted here when none is given (the server creates the thread on
        the first `run.start`)."""
        self.assistant_id = assistant_id
        self._http = http
        self._headers = dict(headers or {})
        self._run_start_timeout = run_start_timeout
        self._channels = list(DEFAULT_CHANNELS)
        for channel in channels or ():
            self._want(channel)
        self._max_reconnects = max_reconnects
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
        """State snapshots of the current run (`async for`), or its final state (`await`)."""
        self.messages: MessagesProjection = MessagesProjection(self, ())
        """One `MessageStream` per message of the current run."""
        self.tool_calls: ToolCallsProjection = ToolCallsProjection(self, ())
        """One `ToolCallStream` per tool execution of the current run."""
        self.subgraphs: SubgraphsProjection = SubgraphsProjection(self, ())
        """One `SubgraphHandle` per subgraph invocation of the current run."""
        self.extensions: Extensions = Extensions(self, ())
        """`extensions[name]`: the payloads of the `custom:<name>` channel."""

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
                reconnect=ReconnectPolicy.choose(self._http.reconnect, None, self._max_reconnects),
            )
            self._stream_iter = self._stream.__aiter__()
        try:
            part = await self._stream_iter.__anext__()
        except StopAsyncIteration:
            # The server never ends this stream on its own accord: re-open it, bounded.
            await self._disconnect()
            self._ends += 1
            if self._ends > self._max_reconnects:
                raise StreamLostError(
                    f"the thread's event stream kept closing ({self._ends} times in a row "
                    "without a new event)",
                    last_event_id=self._events.last_event_id,
                    attempts=self._ends,
                ) from None
            await _retry.sleep(_retry.backoff(self._ends - 1))
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

    async def get_tree(self, *, xray: int | bool = False) -> dict[str, Any]:
        """The assistant's graph (nodes and edges), as `assistants.get_graph` returns it."""
        thread = self._thread
        result: dict[str, Any] = await thread._http.request(
            "GET",
            path("/assistants/{}/graph", thread.assistant_id),
            params={"xray": xray} if xray else None,
            headers=thread._headers,
        )
        return result


class _Projection:
    def __init__(self, thread: AsyncThreadStream, scope: Scope, until: SubgraphInfo | None = None):
        self._thread = thread
        self._scope = scope
        self._sub = until  # a subgraph handle's projections end with the subgraph

    def _until(self) -> Callable[[], bool] | None:
        sub = self._sub
        return (lambda: sub.done) if sub is not None else None


class ValuesProjection(_Projection, AwaitsGet):
    """`async for state in thread.values`: each state snapshot; `await thread.values` (or
    `get()`): the last."""

    def __aiter__(self) -> AsyncIterator[Any]:
        scope = list(self._scope)
        return _pick(
            self._thread._follow(self._thread._log.current, _events, self._until()),
            lambda e: (
                e["params"]["data"]
                if e["method"] == "values" and e["params"]["namespace"] == scope
                else _SKIP
            ),
        )

    async def get(self) -> Any:
        """The final state (of this scope)."""
        if not self._scope:
            return await self._thread.output
        last = None
        async for state in self:
            last = state
        return last


class MessagesProjection(_Projection):
    """`async for message in thread.messages`: one `MessageStream` per message in this scope
    (tool results included: they live one level down, in `tools:<call id>`)."""

    def __aiter__(self) -> AsyncIterator[MessageStream]:
        thread, scope, run = self._thread, self._scope, self._thread._log.current

        def pick(state: MessageState) -> Any:
            ns = state.namespace
            mine = tuple(ns) == scope or (
                len(ns) == len(scope) + 1
                and tuple(ns[:-1]) == scope
                and ns[-1].startswith("tools:")
            )
            return MessageStream(thread, run, state) if mine and run is not None else _SKIP

        return _pick(thread._follow(run, _messages, self._until()), pick)


class ToolCallsProjection(_Projection):
    """`async for call in thread.tool_calls`: one `ToolCallStream` per tool execution."""

    def __aiter__(self) -> AsyncIterator[ToolCallStream]:
        thread, scope, run = self._thread, list(self._scope), self._thread._log.current
        return _pick(
            thread._follow(run, _tool_calls, self._until()),
            lambda c: (
                ToolCallStream(thread, run, c)
                if c.namespace == scope and run is not None
                else _SKIP
            ),
        )


class SubgraphsProjection(_Projection):
    """`async for sub in thread.subgraphs`: a `SubgraphHandle` per direct child invocation."""

    def __aiter__(self) -> AsyncIterator[SubgraphHandle]:
        thread, scope, run = self._thread, self._scope, self._thread._log.current
        return _pick(
            thread._follow(run, _subgraphs, self._until()),
            lambda s: (
                SubgraphHandle(thread, s)
                if len(s.namespace) == len(scope) + 1 and tuple(s.namespace[:-1]) == scope
                else _SKIP
            ),
        )


class Extensions(_Projection):
    """`thread.extensions[name]`: what the graph's `custom:<name>` channel sends."""

    def __getitem__(self, name: str) -> ExtensionProjection:
        self._thread._want(f"custom:{name}")
        return ExtensionProjection(self._thread, self._scope, self._sub, name)


class ExtensionProjection(_Projection):
    """The payloads of one named custom channel, in this scope and below."""

    def __init__(
        self, thread: AsyncThreadStream, scope: Scope, until: SubgraphInfo | None, name: str
    ) -> None:
        super().__init__(thread, scope, until)
        self.name = name

    def __aiter__(self) -> AsyncIterator[Any]:
        channels, scope = [f"custom:{self.name}"], [list(self._scope)]

        def pick(event: ThreadEvent) -> Any:
            if not matches(event, channels, scope):
                return _SKIP
            data = event["params"]["data"]
            return data["payload"] if isinstance(data, dict) and "payload" in data else data

        run = self._thread._log.current
        return _pick(self._thread._follow(run, _events, self._until()), pick)


class EventView:
    """Raw events of the current run, filtered like a server subscription."""

    def __init__(
        self,
        thread: AsyncThreadStream,
        channels: Sequence[str] | None,
        namespaces: Sequence[Sequence[str]] | None,
        depth: int | None,
        until: SubgraphInfo | None = None,
    ) -> None:
        self._thread = thread
        self._channels = channels
        self._namespaces = namespaces
        self._depth = depth
        self._sub = until

    def __aiter__(self) -> AsyncIterator[ThreadEvent]:
        channels, namespaces, depth = self._channels, self._namespaces, self._depth
        sub = self._sub

        def pick(event: ThreadEvent) -> Any:
            if channels is None:
                ns = namespaces[0] if namespaces else []
                return event if in_scope(event["params"]["namespace"], ns) else _SKIP
            return event if matches(event, channels, namespaces, depth) else _SKIP

        until = (lambda: sub.done) if sub is not None else None
        return _pick(self._thread._follow(self._thread._log.current, _events, until), pick)


class MessageStream(AwaitsGet):
    """One message: `async for text in message` streams its text; `await message` gives the
    complete `Message` (content, tool calls, usage, id) as plain data.

    As with the official SDK's message streams, `message.text` also streams the text
    (`async for`), and `await message.text` gives all of it.
    """

    def __init__(self, thread: AsyncThreadStream, run: RunLog, state: MessageState) -> None:
        self._thread = thread
        self._run = run
        self._state = state

    @property
    def id(self) -> str | None:
        return self._state.id

    @property
    def role(self) -> str:
        return self._state.role

    @property
    def namespace(self) -> list[str]:
        return list(self._state.namespace)

    @property
    def tool_call_id(self) -> str | None:
        return self._state.tool_call_id

    @property
    def text(self) -> TextStream:
        """The text: `async for` its deltas, `await` all of it, `str()` what arrived so far."""
        return TextStream(self)

    @property
    def done(self) -> bool:
        return self._state.done

    def __aiter__(self) -> AsyncIterator[str]:
        state, run = self._state, self._run
        return self._thread._follow(run, lambda _run: state.deltas, lambda: state.done)

    async def get(self) -> Message:
        """The complete message, once it is (or the run ended)."""
        state, run = self._state, self._run
        await self._thread._wait(lambda: state.done or run.done)
        return state.message()

    def to_langchain(self) -> Any:
        """The message as a langchain-core message (`AIMessage`, `ToolMessage`, ...): needs
        langchain-core installed, imported only here. Call it once the message is complete."""
        from ._thread_langchain import to_langchain

        return to_langchain(self._state.message())

    def __repr__(self) -> str:
        return f"<MessageStream id={self.id} role={self.role} done={self.done}>"


class TextStream(AwaitsGet):
    """A message's text: `async for` the deltas, `await` the whole text."""

    def __init__(self, message: MessageStream) -> None:
        self._message = message

    def __aiter__(self) -> AsyncIterator[str]:
        return self._message.__aiter__()

    async def get(self) -> str:
        """All of the text, once the message is complete."""
        return (await self._message.get())["content"]

    def __str__(self) -> str:
        return self._message._state.text


class ToolCallStream:
    """One tool execution: `deltas` streams its output, `await call.output` gives the result
    (`None` if it failed: see `error`)."""

    def __init__(self, thread: AsyncThreadStream, run: RunLog, state: ToolCallState) -> None:
        self._thread = thread
        self._run = run
        self._state = state

    @property
    def tool_call_id(self) -> str:
        return self._state.tool_call_id

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def input(self) -> Any:
        return self._state.input

    @property
    def namespace(self) -> list[str]:
        return list(self._state.namespace)

    @property
    def done(self) -> bool:
        return self._state.done

    @property
    def error(self) -> str | None:
        """The tool's error message, if it failed."""
        return self._state.error

    @property
    def deltas(self) -> AsyncIterator[Any]:
        state = self._state
        return self._thread._follow(self._run, lambda _run: state.deltas, lambda: state.done)

    @property
    def output(self) -> Awaitable[Any]:
        """`await call.output`: the tool's result, once it finished (`None` if it failed)."""
        return self._output()

    async def _output(self) -> Any:
        state, run = self._state, self._run
        await self._thread._wait(lambda: state.done or run.done)
        return state.output

    def __repr__(self) -> str:
        return f"<ToolCallStream {self.name} id={self.tool_call_id} done={self.done}>"


class SubgraphHandle:
    """A subgraph invocation of the current run, with projections of its own namespace."""

    def __init__(self, thread: AsyncThreadStream, info: SubgraphInfo) -> None:
        self._info = info
        scope = tuple(info.namespace)
        self.values: ValuesProjection = ValuesProjection(thread, scope, info)
        """Its state snapshots."""
        self.messages: MessagesProjection = MessagesProjection(thread, scope, info)
        """Its messages."""
        self.tool_calls: ToolCallsProjection = ToolCallsProjection(thread, scope, info)
        """Its tool executions."""
        self.subgraphs: SubgraphsProjection = SubgraphsProjection(thread, scope, info)
        """Subgraphs it invoked."""
        self.extensions: Extensions = Extensions(thread, scope, info)
        """Its named custom channels."""
        self.events: EventView = EventView(thread, None, [list(scope)], None, info)
        """Every event in its namespace and below."""

    @property
    def namespace(self) -> list[str]:
        return list(self._info.namespace)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self._info.namespace)

    @property
    def graph_name(self) -> str | None:
        return self._info.graph_name

    @property
    def trigger_call_id(self) -> str | None:
        return self._info.trigger_call_id

    @property
    def status(self) -> str:
        """`started`, then `completed`, `failed` or `interrupted`."""
        return self._info.status

    @property
    def error(self) -> str | None:
        return self._info.error

    def __repr__(self) -> str:
        return f"<SubgraphHandle {self.graph_name} {self.namespace} {self.status}>"


# What projections read from a run: the lists grow as events arrive.


def _events(run: RunLog) -> list[ThreadEvent]:
    return run.events


def _messages(run: RunLog) -> list[MessageState]:
    return run.messages


def _tool_calls(run: RunLog) -> list[ToolCallState]:
    return run.tool_calls


def _subgraphs(run: RunLog) -> list[SubgraphInfo]:
    return run.subgraphs


_SKIP: Any = object()


async def _pick(
    source: AsyncGenerator[Any, None], convert: Callable[[Any], Any]
) -> AsyncGenerator[Any, None]:
    """`convert` each item of `source`, leaving out `_SKIP`; closes `source` when done."""
    try:
        async for item in source:
            value = convert(item)
            if value is not _SKIP:
                yield value
    finally:
        await source.aclose()
