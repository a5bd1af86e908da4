"""What a test tells the fake: run scripts and faults; and what the fake records for assertions."""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

__all__ = [
    "UNSET",
    "Event",
    "Fault",
    "Pause",
    "RecordedRequest",
    "RecordedRun",
    "RunEndpoint",
    "Script",
    "message_chunks",
]

RunEndpoint = Literal["wait", "stream", "create"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Marks an argument not given (an interrupt value may be `None`)."""

Event = tuple[str, Any]
"""One scripted stream event: `(name, data)`, e.g. `("updates", {"node": {...}})`. Subgraph
events carry their namespace in the name: `("updates|inner:1", {...})`."""


@dataclass(frozen=True)
class Pause:
    """In a script's `events`: the run takes this many seconds before its next event."""

    seconds: float


ScriptItem = Event | Pause
"""An item of a script's `events`."""


class RecordedRun(TypedDict):
    """A run the fake started, as the client asked for it (`fake.runs[i]`)."""

    run_id: str
    """The run's id."""
    thread_id: str
    """The run's thread: the request's, or the temporary thread of a stateless run."""
    stateless: bool
    """Started without a thread (`/runs/...`): its temporary thread is deleted at the end
    unless `on_completion="keep"`."""
    assistant_id: str
    """The assistant id or graph name the request named."""
    endpoint: RunEndpoint
    """Which call started it: `wait`, `stream` or `create`."""
    input: Any
    """The run's `input` (`None` when absent)."""
    command: Any
    """The run's `command`, e.g. `{"resume": "yes"}` (`None` when absent)."""
    stream_mode: list[str]
    """The stream modes the run was created with (the server's default is `["values"]`)."""
    body: dict[str, Any]
    """The whole JSON body: every option as sent (`config`, `metadata`, `multitask_strategy`...)."""
    status: str
    """`pending`, `running`, `success`, `error` or `interrupted` (cancelled), as of now."""


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received (`fake.requests[i]`)."""

    method: str
    path: str
    """The path, percent-decoded, without the query string."""
    query: dict[str, list[str]]
    """Query parameters (every value of a repeated name)."""
    json: Any
    """The decoded JSON body; `None` without a body (the raw bytes are in `body`)."""
    headers: dict[str, str]
    """Lower-cased names; `x-api-key` and `authorization` values are replaced by `***`."""
    body: bytes = b""
    status: int = 0
    """The status code the fake answered (0 if the request raised before any answer)."""

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self.headers.get(name.lower())


@dataclass
class Script:
    """How the runs of one assistant play out (made by `FakeAgentServer.on_run`)."""

    assistant: str
    events: Sequence[ScriptItem] | Callable[[RecordedRun], Sequence[ScriptItem]] = ()
    result: Any = None
    error: tuple[str, str] | None = None
    interrupt: Any = UNSET
    interval: float = 0.0
    times: int | None = None
    match: Callable[[RecordedRun], bool] | None = None
    used: int = 0

    def accepts(self, names: set[str], run: RecordedRun) -> bool:
        if self.assistant != "*" and self.assistant not in names:
            return False
        if self.times is not None and self.used >= self.times:
            return False
        return self.match is None or bool(self.match(run))


FaultKind = Literal["status", "drop", "stall"]


@dataclass
class Fault:
    """One injected fault (made by `FakeAgentServer.fail`, `.drop` or `.stall`)."""

    kind: FaultKind
    method: str = "*"
    path: str = "*"
    times: int | None = 1
    status: int = 500
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "application/json"
    after_events: int | None = 0
    seconds: float = 0.0
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.method != "*" and self.method.upper() != method:
            return False
        return fnmatch.fnmatchcase(path, self.path)


def error_pair(error: BaseException | tuple[str, str] | str) -> tuple[str, str]:
    """`(error type, message)` as the server reports a graph's exception."""
    if isinstance(error, BaseException):
        return type(error).__name__, str(error)
    if isinstance(error, str):
        return "Exception", error
    kind, message = error
    return str(kind), str(message)


def message_chunks(
    tokens: Sequence[str], *, node: str = "model", message_id: str | None = None
) -> list[Event]:
    """Token-by-token `messages` events (stream mode `messages-tuple`), shaped like the
    server's: `[AIMessageChunk dict, metadata dict]` per token, all with one message id.

        fake.on_run("chat", events=message_chunks(["Hel", "lo"]), result={...})
    """
    message_id = message_id or f"lc_run--{uuid.uuid4()}"
    metadata = {"langgraph_node": node, "langgraph_step": 1}
    return [
        (
            "messages",
            [
                {
                    "content": token,
                    "additional_kwargs": {},
                    "response_metadata": {},
                    "type": "AIMessageChunk",
                    "name": None,
                    "id": message_id,
                    "tool_calls": [],
                    "invalid_tool_calls": [],
                    "usage_metadata": None,
                    "tool_call_chunks": [],
                },
                dict(metadata),
            ],
        )
        for token in tokens
    ]
