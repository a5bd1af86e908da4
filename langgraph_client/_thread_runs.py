"""Thread streaming, the pure run part: which events belong to which run of this session, and
what they add up to (state, interrupts, messages, tool calls, subgraphs). No I/O here.

Facts about the server this relies on (langgraph-api 0.16, see docs/thread-streaming.md): a run
is framed by root-namespace `lifecycle` events (`running`, then `completed` / `failed` /
`interrupted`), whose ids name the run (`synth:<run id>:lc||<event>`); every connection first
replays the thread's history.
"""

from __future__ import annotations

from typing import Any, Literal

from ._json import loads as _loads
from ._thread_protocol import InterruptPayload, Message, ThreadEvent, ToolCall

__all__ = [
    "TERMINAL",
    "MessageState",
    "RunLog",
    "SubgraphInfo",
    "ThreadLog",
    "ToolCallState",
    "run_id_of",
]

TERMINAL = frozenset({"completed", "failed", "interrupted"})
_MAX_UNCLAIMED = 4  # runs seen that no command of this session started (yet): their events
_KEEP_EVENTS = 2  # runs of this session whose events stay readable (the current and the last)


class MessageState:
    """One message being assembled from `messages` events (pure; the shell wraps it)."""

    __slots__ = (
        "_blocks",
        "_open",
        "deltas",
        "done",
        "error",
        "id",
        "metadata",
        "namespace",
        "role",
        "tool_call_id",
        "usage",
    )

    def __init__(self, data: dict[str, Any], namespace: list[str]) -> None:
        self.id: str | None = data.get("id")
        self.role: str = str(data.get("role") or "ai")
        self.tool_call_id: str | None = data.get("tool_call_id")
        self.namespace: list[str] = namespace
        self.metadata: dict[str, Any] = dict(data.get("metadata") or {})
        self.deltas: list[str] = []  # text deltas, in order
        self.usage: dict[str, Any] | None = None
        self.done: bool = False
        self.error: str | None = None
        self._blocks: dict[int, dict[str, Any]] = {}  # finished (or last known) blocks by index
        self._open: dict[int, dict[str, Any]] = {}  # blocks being streamed

    @property
    def text(self) -> str:
        """The text so far."""
        return "".join(self.deltas)

    def feed(self, data: dict[str, Any]) -> None:
        """Apply one `messages` event after `message-start`."""
        kind = data.get("event")
        index = data.get("index", 0)
        if kind == "content-block-start":
            block = dict(data.get("content") or {})
            self._open[index] = block
            text = block.get("text") if block.get("type") == "text" else None
            if text:
                self.deltas.append(text)
        elif kind == "content-block-delta":
            self._delta(index, data)
        elif kind == "content-block-finish":
            block = dict(data.get("content") or {})
            self._blocks[index] = block
            self._open.pop(index, None)
        elif kind == "message-finish":
            self.usage = data.get("usage") or self.usage
            self.metadata.update(data.get("metadata") or {})
            self._finish()
        elif kind == "error":
            self.error = str(data.get("message") or "message failed")
            self._finish()

    def _delta(self, index: int, data: dict[str, Any]) -> None:
        delta = data.get("delta")
        if isinstance(delta, dict):
            block = self._open.setdefault(index, {"type": "text", "text": ""})
            kind = delta.get("type")
            if kind == "text-delta":
                text = str(delta.get("text") or "")
                block["text"] = str(block.get("text") or "") + text
                self.deltas.append(text)
            elif kind == "reasoning-delta":
                block["reasoning"] = str(block.get("reasoning") or "") + str(
                    delta.get("reasoning") or ""
                )
            elif kind in ("tool_call_chunk", "tool-call-delta", "tool_call"):
                block["type"] = "tool_call_chunk"
                for key in ("id", "name"):
                    if delta.get(key):
                        block[key] = delta[key]
                if isinstance(delta.get("args"), str):
                    block["args"] = str(block.get("args") or "") + delta["args"]
            return
        content = data.get("content")  # a delta that carries the whole block so far
        if isinstance(content, dict):
            before = str(self._open.get(index, {}).get("text") or "")
            self._open[index] = dict(content)
            full = content.get("text")
            if content.get("type") == "text" and isinstance(full, str):
                self.deltas.append(full[len(before) :] if full.startswith(before) else full)

    def _finish(self) -> None:
        for index, block in self._open.items():  # blocks never finished: keep what arrived
            self._blocks.setdefault(index, block)
        self._open.clear()
        self.done = True

    def message(self) -> Message:
        """The message as plain data (complete once `done`)."""
        blocks = [self._blocks[i] for i in sorted(self._blocks)] + list(self._open.values())
        texts = [str(b.get("text") or "") for b in blocks if b.get("type") == "text"]
        calls: list[ToolCall] = [
            {"id": b.get("id"), "name": b.get("name"), "args": _args(b.get("args"))}
            for b in blocks
            if b.get("type") in ("tool_call", "tool_call_chunk")
        ]
        return {
            "id": self.id,
            "role": self.role,
            "content": "".join(texts) if texts else self.text,
            "content_blocks": blocks,
            "tool_calls": calls,
            "tool_call_id": self.tool_call_id,
            "usage": self.usage,
            "metadata": self.metadata,
        }


def _args(args: Any) -> Any:
    """Streamed tool-call arguments arrive as JSON text; complete ones as a dict."""
    if isinstance(args, str):
        try:
            return _loads(args) if args.strip() else {}
        except ValueError:
            return args
    return args


class ToolCallState:
    """One tool execution from `tools` events: started, output deltas, finished or failed."""

    __slots__ = ("deltas", "done", "error", "input", "name", "namespace", "output", "tool_call_id")

    def __init__(self, data: dict[str, Any], namespace: list[str]) -> None:
        self.tool_call_id: str = str(data.get("tool_call_id") or "")
        self.name: str = str(data.get("tool_name") or "")
        self.input: Any = data.get("input")
        self.namespace: list[str] = namespace
        self.deltas: list[Any] = []
        self.output: Any = None
        self.error: str | None = None
        self.done: bool = False

    def feed(self, data: dict[str, Any]) -> None:
        kind = data.get("event")
        if kind == "tool-output-delta":
            self.deltas.append(data.get("delta"))
        elif kind == "tool-finished":
            output = data.get("output")
            # A ToolMessage serialized as a dict: its content is the tool's result.
            if isinstance(output, dict) and output.get("type") == "tool" and "content" in output:
                output = output["content"]
            self.output = output
            self.done = True
        elif kind == "tool-error":
            self.error = str(data.get("message") or "tool failed")
            self.done = True


class SubgraphInfo:
    """A subgraph invocation seen in the run: its namespace, name and status."""

    __slots__ = ("error", "graph_name", "namespace", "status", "trigger_call_id")

    def __init__(self, namespace: list[str], data: dict[str, Any]) -> None:
        self.namespace: list[str] = namespace
        self.graph_name: str | None = data.get("graph_name")
        self.trigger_call_id: str | None = data.get("trigger_call_id")
        self.status: str = "started"
        self.error: str | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


class RunLog:
    """The events of one run of the thread, and what they add up to."""

    def __init__(self, kind: Literal["start", "resume", "seen"], run_id: str | None = None):
        self.kind: Literal["start", "resume", "seen"] = kind
        self.run_id: str | None = run_id
        self.events: list[ThreadEvent] = []
        self.status: str = "pending"  # then running, completed, failed, interrupted
        self.error: str | None = None
        self.values: Any = None
        self.has_values: bool = False
        self.interrupts: list[InterruptPayload] = []
        self.resumes: str | None = None  # for a resume: the interrupt it answers
        self.messages: list[MessageState] = []
        self.tool_calls: list[ToolCallState] = []
        self.subgraphs: list[SubgraphInfo] = []
        self._open_messages: dict[tuple[str, ...], MessageState] = {}
        self._tools: dict[str, ToolCallState] = {}
        self._subgraphs: dict[tuple[str, ...], SubgraphInfo] = {}

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def add(self, event: ThreadEvent) -> None:
        """Record one event of this run and update the state it implies."""
        self.events.append(event)
        method = event["method"]
        params = event["params"]
        namespace, data = params["namespace"], params["data"]
        if method == "lifecycle" and isinstance(data, dict):
            self._lifecycle(namespace, data)
        elif method == "values" and not namespace:
            self.values, self.has_values = data, True
        elif method == "input.requested" and isinstance(data, dict):
            payload = data["payload"] if "payload" in data else data.get("value")
            interrupt_id = str(data.get("interrupt_id") or "")
            self.interrupts.append(
                {"interrupt_id": interrupt_id, "value": payload, "namespace": list(namespace)}
            )
        elif method == "messages" and isinstance(data, dict):
            self._message(namespace, data)
        elif method == "tools" and isinstance(data, dict):
            self._tool(namespace, data)

    def _lifecycle(self, namespace: list[str], data: dict[str, Any]) -> None:
        what = data.get("event")
        if not namespace:
            if what == "running":
                self.status = "running"
            elif what in TERMINAL:
                self.status = str(what)
                self.error = data.get("error")
                for message in self._open_messages.values():
                    message._finish()
                self._open_messages.clear()
            return
        key = tuple(namespace)
        info = self._subgraphs.get(key)
        if info is None:
            info = self._subgraphs[key] = SubgraphInfo(list(namespace), data)
            self.subgraphs.append(info)
        if what in TERMINAL or what == "errored":
            info.status = "failed" if what == "errored" else str(what)
            info.error = data.get("error")

    def _message(self, namespace: list[str], data: dict[str, Any]) -> None:
        key = tuple(namespace)
        if data.get("event") == "message-start":
            message = MessageState(data, list(namespace))
            self._open_messages[key] = message
            self.messages.append(message)
            return
        open_message = self._open_messages.get(key)
        if open_message is None:
            return  # the start was before this session's view of the run
        open_message.feed(data)
        if open_message.done:
            del self._open_messages[key]

    def _tool(self, namespace: list[str], data: dict[str, Any]) -> None:
        call_id = str(data.get("tool_call_id") or "")
        if data.get("event") == "tool-started":
            call = ToolCallState(data, list(namespace))
            self._tools[call_id] = call
            self.tool_calls.append(call)
            return
        known = self._tools.get(call_id)
        if known is not None:
            known.feed(data)

    def release(self) -> None:
        """Drop the events and what was built from them; the outcome (status, values,
        interrupts) stays. Iterators still on this run end."""
        self.events, self.messages, self.tool_calls, self.subgraphs = [], [], [], []
        self._open_messages.clear()
        self._tools.clear()
        self._subgraphs.clear()

    def adopt(self, other: RunLog) -> None:
        """Take over the events of a run seen before this session knew it was its own."""
        for event in other.events:
            self.add(event)


def run_id_of(event: ThreadEvent) -> str | None:
    """The run a root lifecycle event belongs to, from the server's `synth:<run id>:...` ids."""
    event_id = event["event_id"]
    if event_id.startswith("synth:"):
        run_id = event_id[6:].partition(":")[0]
        return run_id or None
    return None


class ThreadLog:
    """Splits a thread's event stream into runs, and tells this session's runs from others.

    A connection first replays the thread's history, so the session must recognise its own
    runs: a run it started is known by the run id `run.start` returned (root lifecycle ids
    carry it); a run resumed by `run.respond` (whose reply names no run) is the first unknown
    run to start after the interrupted run ended. Anything else (history, other clients' runs)
    is kept aside, bounded, in case a `run.start` reply naming it is still on its way.
    """

    def __init__(self) -> None:
        self.runs: list[RunLog] = []  # this session's runs, oldest first
        self._pending: list[RunLog] = []  # expected, not started on the stream yet
        self._open: RunLog | None = None  # the run receiving events
        self._unclaimed: dict[str, RunLog] = {}
        self._known: set[str] = set()  # run ids seen on the stream

    @property
    def current(self) -> RunLog | None:
        """The latest run of this session (pending, running or finished)."""
        return self.runs[-1] if self.runs else None

    def expect(self, kind: Literal["start", "resume"], interrupt_id: str | None = None) -> RunLog:
        """Call before sending the command that starts (or resumes) a run.

        A resume is armed once the interrupted run has ended on the stream: at once if this
        session saw that; else when a run stopping at `interrupt_id` (any, if `None`) ends.
        """
        run = RunLog(kind)
        if kind == "resume":
            previous = self.current
            armed = previous is not None and previous.done
            run.status = "pending" if armed else "waiting"
            run.resumes = interrupt_id
        self.runs.append(run)
        if len(self.runs) > _KEEP_EVENTS:  # a long session must not keep every run's events
            self.runs[-_KEEP_EVENTS - 1].release()
        self._pending.append(run)
        return run

    def started(self, run: RunLog, run_id: str) -> None:
        """The command's reply named the run: claim it if it was already on the stream."""
        run.run_id = run_id
        seen = self._unclaimed.pop(run_id, None)
        if seen is not None:
            self._claim(run, seen)

    def cancel(self, run: RunLog) -> None:
        """The command failed: there is no such run."""
        if run in self._pending:
            self._pending.remove(run)
        if run in self.runs:
            self.runs.remove(run)

    def feed(self, event: ThreadEvent) -> RunLog | None:
        """Route one (new) event to its run; returns the run of this session it went to."""
        params = event["params"]
        data = params["data"]
        root = not params["namespace"]
        if root and event["method"] == "lifecycle" and isinstance(data, dict):
            what = data.get("event")
            if what == "running":
                self._open = self._begin(run_id_of(event))
            elif what in TERMINAL and self._open is not None:
                run = self._open
                run.add(event)
                self._open = None
                if what == "interrupted":
                    ids = {i["interrupt_id"] for i in run.interrupts}
                    for waiting in self._pending:
                        if waiting.status == "waiting" and (
                            waiting.resumes is None or waiting.resumes in ids
                        ):
                            waiting.status = "pending"
                return run if run in self.runs else None
        target = self._open
        if target is None:
            return None  # the tail of a run that already ended, or of history
        target.add(event)
        return target if target in self.runs else None

    def _begin(self, run_id: str | None) -> RunLog:
        if run_id is not None:
            self._known.add(run_id)
            for run in self._pending:
                if run.run_id == run_id:
                    self._pending.remove(run)
                    return run
        # The resume of an interrupted run, or (ids unreadable) the oldest start still due.
        for run in self._pending:
            armed = run.kind == "resume" and run.status == "pending"
            if armed or (run_id is None and run.kind == "start" and run.run_id is not None):
                self._pending.remove(run)
                run.run_id = run.run_id or run_id
                return run
        seen = RunLog("seen", run_id)
        if run_id is not None:
            self._unclaimed[run_id] = seen
            while len(self._unclaimed) > _MAX_UNCLAIMED:
                del self._unclaimed[next(iter(self._unclaimed))]
        return seen

    def _claim(self, run: RunLog, seen: RunLog) -> None:
        if run in self._pending:
            self._pending.remove(run)
        run.adopt(seen)
        if self._open is seen:
            self._open = run
