"""The projections of a thread stream: views that follow the session's current run
(`values`, `messages`, `tool_calls`, `subgraphs`, `extensions`, `events`) and the per-item
handles they yield (`MessageStream`, `TextStream`, `ToolCallStream`, `SubgraphHandle`).

They hold no connection: each reads the run's state kept by `_thread_runs`, and asks the
session for the next event when it has seen everything (`AsyncThreadStream._follow`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ._concurrency import AwaitsGet
from ._thread_protocol import Message, ThreadEvent, in_scope, is_named_custom, matches
from ._thread_runs import MessageState, RunLog, SubgraphInfo, ToolCallState

if TYPE_CHECKING:
    from .thread_stream import AsyncThreadStream

__all__ = [
    "EventView",
    "ExtensionProjection",
    "Extensions",
    "Interleaved",
    "MessageStream",
    "MessagesProjection",
    "SubgraphHandle",
    "SubgraphsProjection",
    "TextStream",
    "ToolCallStream",
    "ToolCallsProjection",
    "ValuesProjection",
]

Scope = tuple[str, ...]
T = TypeVar("T")


class _Projection:
    def __init__(self, thread: AsyncThreadStream, scope: Scope, until: SubgraphInfo | None = None):
        self._thread = thread
        self._scope = scope
        self._sub = until  # a subgraph handle's projections end with the subgraph

    def _until(self) -> Callable[[], bool] | None:
        sub = self._sub
        return (lambda: sub.done) if sub is not None else None


class ValuesProjection(_Projection, AwaitsGet):
    """`async for state in thread.values`: each state snapshot; `get()`: the final one (the
    async projection is also awaitable)."""

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
        self.name: str = name

    def __aiter__(self) -> AsyncIterator[Any]:
        channels, scope = [f"custom:{self.name}"], [list(self._scope)]

        def pick(event: ThreadEvent) -> Any:
            if not matches(event, channels, scope):
                return _SKIP
            data = event["params"]["data"]
            return data["payload"] if isinstance(data, dict) and "payload" in data else data

        run = self._thread._log.current
        return _pick(self._thread._follow(run, _events, self._until()), pick)


class Interleaved:
    """`thread.interleave_projections([...])`: `(name, item)` pairs of several root projections
    in the order the server sent them: `values`, `updates`, `tasks` and `custom` payloads,
    `messages` (a `MessageStream` at its start), `tool_calls` (a `ToolCallStream` at its start),
    `subgraphs` (a `SubgraphHandle` at its start), or any other name: the payloads of the
    `custom:<name>` channel."""

    _PLAIN = ("values", "updates", "tasks", "custom")

    def __init__(self, thread: AsyncThreadStream, names: Sequence[str]) -> None:
        self._thread = thread
        self._names = list(names)
        for name in self._names:
            if name in ("updates", "tasks", "custom"):
                thread._want(name)
            elif name not in ("values", "messages", "tool_calls", "subgraphs"):
                thread._want(f"custom:{name}")

    def __aiter__(self) -> AsyncIterator[tuple[str, Any]]:
        return self._pairs()

    async def _pairs(self) -> AsyncGenerator[tuple[str, Any], None]:
        thread, names = self._thread, self._names
        run = thread._log.current
        counts = {"messages": 0, "tool_calls": 0, "subgraphs": 0}  # items built so far
        source = thread._follow(run, _events)
        try:
            async for event in source:
                assert run is not None  # `_follow` raised otherwise
                for name in names:
                    item = self._item(name, event, run, counts)
                    if item is not _SKIP:
                        yield name, item
        finally:
            await source.aclose()

    def _item(self, name: str, event: ThreadEvent, run: RunLog, counts: dict[str, int]) -> Any:
        method, params = event["method"], event["params"]
        namespace, data = params["namespace"], params["data"]
        root = not namespace
        if name in self._PLAIN:
            if name == "custom" and is_named_custom(event):
                return _SKIP  # a named channel's: its extension's item
            return data if root and method == name else _SKIP
        started = isinstance(data, dict) and data.get("event")
        if name == "messages":
            if method != "messages" or started != "message-start":
                return _SKIP
            state = _nth(run.messages, counts, "messages")
            tool_result = len(namespace) == 1 and namespace[0].startswith("tools:")
            mine = state is not None and (root or tool_result)
            return MessageStream(self._thread, run, state) if mine and state else _SKIP
        if name == "tool_calls":
            if method != "tools" or started != "tool-started":
                return _SKIP
            call = _nth(run.tool_calls, counts, "tool_calls")
            return ToolCallStream(self._thread, run, call) if call and root else _SKIP
        if name == "subgraphs":
            if method != "lifecycle" or root or len(run.subgraphs) <= counts["subgraphs"]:
                return _SKIP
            info = run.subgraphs[counts["subgraphs"]]
            if info.namespace != namespace:
                return _SKIP  # a later event of a subgraph already yielded
            counts["subgraphs"] += 1
            return SubgraphHandle(self._thread, info) if len(namespace) == 1 else _SKIP
        if matches(event, [f"custom:{name}"], [[]]):
            return data["payload"] if isinstance(data, dict) and "payload" in data else data
        return _SKIP


def _nth(items: list[T], counts: dict[str, int], key: str) -> T | None:
    """The next item built from a start event (they are built in the order they start)."""
    index = counts[key]
    counts[key] += 1
    return items[index] if index < len(items) else None


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
    """One message: `async for text in message` streams its text; `get()` gives the complete
    `Message` (content, tool calls, usage, id) as plain data (the async one is also awaitable).

    As with the official SDK's message streams, `message.text` also streams the text, and its
    `get()` gives all of it.
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
        """The text: iterate its deltas, `get()` all of it, `str()` what arrived so far."""
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
    """A message's text: iterate the deltas, `get()` the whole text."""

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
    """One tool execution: `deltas` streams its output, `output` is its result (awaitable in
    the async client; `None` if it failed: see `error`)."""

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
        """The tool's result, once it finished (`None` if it failed)."""
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
        self.subagents: SubgraphsProjection = self.subgraphs
        """The official SDK's other name for `subgraphs`."""
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
