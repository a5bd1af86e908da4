"""Thread streaming, the pure wire part: event types, frame decoding, filters, and the cursor
that makes delivery exactly-once across connections. No I/O here; `_thread_runs.py` turns the
events into runs, `thread_stream.py` is the I/O shell.

Facts about the server this relies on (langgraph-api 0.16, see docs/thread-streaming.md): an
events connection replays the thread's whole log, then goes live, and never ends by itself;
`seq` numbers events per connection (all channels counted); `event_id` is stable across
connections.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import TypedDict

from ._exceptions import APIResponseValidationError
from ._json import dumps as _dumps
from ._json import loads as _loads
from ._run_events import ConvertEvents, StreamPart

if TYPE_CHECKING:
    import httpx

    from ._run_events import RunMetadata
    from ._sse import ServerSentEvent

__all__ = [
    "CHANNELS",
    "DEFAULT_CHANNELS",
    "EventCursor",
    "EventParams",
    "FrameError",
    "InterruptPayload",
    "Message",
    "ThreadEvent",
    "ThreadEvents",
    "ToolCall",
    "channel_of",
    "decode_event",
    "in_scope",
    "is_named_custom",
    "matches",
]

CHANNELS = frozenset(
    {"values", "updates", "messages", "tools", "custom", "lifecycle", "input", "tasks"}
)
"""The channels the server accepts, besides `custom:<name>` (anything else is a 400)."""

DEFAULT_CHANNELS = ("values", "updates", "messages", "tools", "custom", "lifecycle", "input")
"""What one session's shared connection subscribes to unless told otherwise."""


class EventParams(TypedDict):
    """The `params` of an event."""

    namespace: list[str]
    """Where in the graph it happened: `[]` for the root, `["inner:<task id>"]` for a subgraph."""
    timestamp: int
    """Server time in milliseconds."""
    data: Any
    """The channel's payload."""


class ThreadEvent(TypedDict):
    """One event of a thread stream, as the server sends it."""

    type: Literal["event"]
    """Always `"event"`."""
    event_id: str
    """Stable across connections: the key that makes delivery exactly-once."""
    seq: int
    """Position on this connection (all channels counted): the `since` of a reconnect."""
    method: str
    """The channel, or a sub-kind of it: `values`, `messages`, `input.requested`, ..."""
    params: EventParams
    """Namespace, timestamp and payload."""


class InterruptPayload(TypedDict):
    """An interrupt waiting for `thread.run.respond(...)`."""

    interrupt_id: str
    """The id to answer."""
    value: Any
    """What the graph passed to `interrupt(...)` (the wire's `payload`)."""
    namespace: list[str]
    """Where it was raised."""


class ToolCall(TypedDict):
    """A tool call requested by a model."""

    id: str | None
    """The call id that the tool's result refers to."""
    name: str | None
    """The tool's name."""
    args: Any
    """Its arguments (a dict once complete)."""


class Message(TypedDict):
    """A complete message, as plain data."""

    id: str | None
    """The message id."""
    role: str
    """`ai`, `tool`, `human`, ..."""
    content: str
    """All its text blocks, joined."""
    content_blocks: list[dict[str, Any]]
    """Every finished content block (text, reasoning, tool calls, ...), in order."""
    tool_calls: list[ToolCall]
    """The tool calls among the blocks."""
    tool_call_id: str | None
    """For a tool's result: the call it answers."""
    usage: dict[str, Any] | None
    """Token counts, where the model reported them."""
    metadata: dict[str, Any]
    """Provider metadata from the start and finish events."""


class FrameError(ValueError):
    """An event frame that is not a thread-stream event (the shell raises a typed error)."""


def decode_event(name: str, data: Any) -> ThreadEvent:
    """Check one decoded SSE frame (`event:` name, JSON `data`) and return it as an event."""
    if not isinstance(data, dict) or data.get("type") != "event":
        raise FrameError(f"frame {name!r} is not an event envelope: {_short(data)}")
    event_id, seq, method = data.get("event_id"), data.get("seq"), data.get("method")
    params = data.get("params")
    if not isinstance(event_id, str) or not isinstance(method, str):
        raise FrameError(f"event without an event_id or method: {_short(data)}")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise FrameError(f"event {event_id!r} has no integer seq: {_short(data)}")
    if not isinstance(params, dict):
        raise FrameError(f"event {event_id!r} has no params: {_short(data)}")
    namespace = params.get("namespace")
    if namespace is None:
        params["namespace"] = []
    elif not isinstance(namespace, list) or not all(isinstance(s, str) for s in namespace):
        raise FrameError(f"event {event_id!r} has a bad namespace: {namespace!r}")
    event: ThreadEvent = data  # type: ignore[assignment]  # checked field by field above
    return event


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def channel_of(event: ThreadEvent) -> str:
    """The subscription channel an event belongs to (`input.requested` is on `input`)."""
    method = event["method"]
    head, dot, _ = method.partition(".")
    return head if dot else method


def is_named_custom(event: ThreadEvent) -> bool:
    """An event of a named channel: method `custom` (or `custom:<name>`) with data
    `{"name": ..., "payload": ...}`."""
    method = event["method"]
    if method.startswith("custom:"):
        return True
    data = event["params"]["data"]
    return method == "custom" and isinstance(data, dict) and "name" in data and "payload" in data


def in_scope(namespace: Sequence[str], scope: Sequence[str], depth: int | None = None) -> bool:
    """True if `namespace` is `scope` or under it, at most `depth` levels deeper."""
    if len(namespace) < len(scope) or list(namespace[: len(scope)]) != list(scope):
        return False
    return depth is None or len(namespace) - len(scope) <= depth


def matches(
    event: ThreadEvent,
    channels: Iterable[str],
    namespaces: Sequence[Sequence[str]] | None = None,
    depth: int | None = None,
) -> bool:
    """The server's subscription filter, applied on our side (for views of the shared stream)."""
    channel = channel_of(event)
    wanted = set(channels)
    if channel not in wanted:
        data = event["params"]["data"]
        named = channel == "custom" and isinstance(data, dict) and data.get("name")
        if not (named and f"custom:{named}" in wanted):
            return False
    namespace = event["params"]["namespace"]
    if namespaces is None:
        return depth is None or len(namespace) <= depth
    return any(in_scope(namespace, scope, depth) for scope in namespaces)


class EventCursor:
    """Where a connection got to, and which events were delivered: each event exactly once.

    A reconnect asks for `since` = the last seq seen, and events whose `event_id` was already
    delivered are dropped.

    Named `custom:<name>` channels break both rules on the server (langgraph-api 0.16): their
    events are live-only (missing from the replay, which shifts its seq numbering), and the
    events that follow one get other ids in the replay than they had live. So after the first
    named event, a reconnect replays from the start, and an event delivered since then is also
    recognised by its content: the first n replayed events with the same method, namespace and
    data as n delivered ones are the same events. (A plain custom event shaped like a named one,
    `{"name", "payload"}`, has the same effect: more replay, nothing lost.)
    """

    __slots__ = ("_again", "_delivered", "_exact", "_print_of", "_prints", "_since")

    def __init__(self) -> None:
        self._delivered: set[str] = set()
        self._since: int | None = None
        self._exact = True  # until a named event: ids are stable, `since` is right
        self._prints: dict[int, int] = {}  # content hash -> events delivered with it
        self._print_of: dict[str, int] = {}  # id -> content hash, for those events
        self._again: dict[int, int] = {}  # content hash -> seen again on this connection

    @property
    def since(self) -> int | None:
        """The `since` to send on the next connection (`None`: replay everything)."""
        return self._since if self._exact else None

    def connected(self) -> None:
        """A new connection: its replay starts over."""
        self._again.clear()

    def accept(self, event: ThreadEvent) -> bool:
        """Record an event; False if it was delivered before (a replay after a reconnect)."""
        named = is_named_custom(event)
        if named:
            self._exact = False
        seq = event["seq"]
        if self._since is None or seq > self._since:
            self._since = seq
        event_id = event["event_id"]
        if named:  # never replayed; their ids may be reused by other events in a replay
            key = event_id + "#named"
            if key in self._delivered:
                return False
            self._delivered.add(key)
            return True
        if event_id in self._delivered:
            content = self._print_of.get(event_id)
            if content is not None:
                self._again[content] = self._again.get(content, 0) + 1
            return False
        if not self._exact:
            params = event["params"]
            content = hash(_dumps([event["method"], params["namespace"], params["data"]]))
            again = self._again.get(content, 0)
            self._again[content] = again + 1
            delivered = self._prints.get(content, 0)
            if again < delivered:
                return False  # the same event again, under another id
            self._prints[content] = delivered + 1
            self._print_of[event_id] = content
        self._delivered.add(event_id)
        return True


class ThreadEvents(ConvertEvents):
    """The bookkeeping the stream shell (`_stream`) delegates to for a thread's events
    connection: frames checked and decoded, replays dropped (`EventCursor`), and the request
    that re-opens the connection with `since`. Only new events count as progress, so a server
    that replays what was delivered and breaks again runs out of reconnect attempts."""

    def __init__(self, thread_id: str, build: Callable[[int | None], httpx.Request]) -> None:
        self.run: RunMetadata | None = {"run_id": None, "thread_id": thread_id}
        self.failure: BaseException | None = None
        self.cursor = EventCursor()
        self._build = build
        self._response: httpx.Response | None = None

    @property
    def last_event_id(self) -> str | None:
        since = self.cursor.since
        return None if since is None else str(since)

    def request(self) -> httpx.Request:
        """The request that (re)opens the connection after what was delivered."""
        return self._build(self.cursor.since)

    def opened(self, response: httpx.Response) -> None:
        self._response = response
        self.cursor.connected()
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" not in content_type:
            raise self._invalid(f"expected an event stream, got {content_type or 'no type'}")

    def convert(self, events: list[ServerSentEvent]) -> list[StreamPart]:
        """New events as parts `(method, event, seq)`; a bad frame stops the list and is kept in
        `failure`, raised once the parts before it are delivered."""
        parts: list[StreamPart] = []
        for name, raw, sse_id, _retry_ms in events:
            try:
                event = decode_event(name, _loads(raw) if raw else None)
            except (ValueError, FrameError) as exc:
                self.failure = self._invalid(f"malformed thread event: {exc}")
                break
            if self.cursor.accept(event):
                parts.append(StreamPart(event["method"], event, sse_id))
        return parts

    def resume_request(self) -> httpx.Request | None:
        return self.request()

    def _invalid(self, message: str) -> APIResponseValidationError:
        response = self._response
        return APIResponseValidationError(
            message,
            request=response.request if response is not None else None,
            response=response,
        )
