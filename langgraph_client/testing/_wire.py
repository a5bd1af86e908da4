"""The Agent Server's response shapes, as the fake writes them: constants, replies, error bodies,
stream-mode rules and paging (tests/server/WIRE_NOTES.md, langgraph-api 0.16.7)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

from ._script import Fault
from ._timeline import BytesFeed, FaultyFeed, Feed, TimedEvent

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"


JSON_CONTENT_TYPE = "application/json"


STREAM_MODES = frozenset(
    {
        "values",
        "updates",
        "custom",
        "messages",
        "messages-tuple",
        "events",
        "debug",
        "tasks",
        "checkpoints",
    }
)


REDACTED_HEADERS = frozenset({"x-api-key", "authorization"})


# The server's assistant ids for graphs are uuid5(<this namespace>, graph_id): same ids here.
GRAPH_NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")


RUN_NOT_FOUND = {"error": "HTTPException", "message": "404: Run not found"}


BUSY = (
    "Thread is already running a task. Wait for it to finish or choose a different "
    "multitask strategy."
)


HTML_500 = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    b"<body><h1>Internal Server Error</h1><p>The server encountered an unexpected condition."
    b"</p></body></html>\n"
)


@dataclass
class Reply:
    """A response: status and headers, then `body` bytes or a `feed` played over time."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    feed: Feed | None = None
    delay: float = 0.0
    """Seconds of silence before the status line (a stalled server)."""


class WireError(Exception):
    """A request the fake answers with an error status and `{"detail": ...}`."""

    def __init__(self, status: int, detail: Any) -> None:
        self.status = status
        self.detail = detail


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def json_reply(status: int, data: Any, headers: Sequence[tuple[str, str]] = ()) -> Reply:
    return Reply(status, [("Content-Type", JSON_CONTENT_TYPE), *headers], orjson.dumps(data))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def stream_modes(value: Any) -> list[str]:
    """A run body's `stream_mode` as a list (default `["values"]`); an unknown mode is a 422."""
    if value is None:
        return ["values"]
    modes = [value] if isinstance(value, str) else list(value)
    for mode in modes:
        if mode not in STREAM_MODES:
            shown = orjson.dumps(mode).decode()
            detail = f"{shown} is not valid under any of the schemas listed in the 'anyOf' keyword"
            raise WireError(422, detail)
    return [str(m) for m in modes]


def mode_matches(event_name: str, modes: Sequence[str], subgraphs: bool) -> bool:
    """Whether a run created with `modes` emits an event named `event_name`."""
    base, _, namespace = event_name.partition("|")
    if namespace and not subgraphs:
        return False
    if base in ("metadata", "error"):
        return True
    for mode in modes:
        if mode == "messages":  # the LangChain message events, not the tuples
            if base.startswith("messages/"):
                return True
        elif mode == base or (mode == "messages-tuple" and base == "messages"):
            return True
    return False


def filter_modes(value: str | None) -> list[str] | None:
    """A rejoin's `?stream_mode=`: one name, or a JSON array of names."""
    if not value:
        return None
    if value.startswith("["):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return [value]
        return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]
    return [value]


def join_filter(modes: list[str] | None) -> Callable[[TimedEvent], bool]:
    """Which stored events a rejoin with `?stream_mode=` gets: its modes' events only (`mode|ns`
    counts as `mode`, `messages-tuple` as every `messages*`); no `metadata`, no `error`."""
    if modes is None:
        return lambda event: True
    wanted = {"messages" if m.startswith("messages") else m for m in modes}
    return lambda event: event.name.partition("|")[0].partition("/")[0] in wanted


def subset(wanted: Any, have: Mapping[str, Any]) -> bool:
    """A search filter: every key of `wanted` has its value in `have`."""
    if not wanted:
        return True
    return all(have.get(k) == v for k, v in dict(wanted).items())


def page(items: list[dict[str, Any]], body: Mapping[str, Any]) -> Reply:
    """One page of a search, with the server's pagination headers."""
    offset = int(body.get("offset") or 0)
    limit = int(body.get("limit") or 10)
    headers = [("X-Pagination-Total", str(len(items)))]
    if offset + limit < len(items):
        headers.append(("X-Pagination-Next", str(offset + limit)))
    return json_reply(200, items[offset : offset + limit], headers)


def with_fault(reply: Reply, fault: Fault) -> Reply:
    """The same response, broken as `fault` says."""
    if fault.after_events is None:  # a stall before the status line
        reply.delay += fault.seconds
        return reply
    feed = reply.feed if reply.feed is not None else BytesFeed(reply.body)
    reply.feed = FaultyFeed(
        feed, fault.after_events, drop=fault.kind == "drop", stall=fault.seconds
    )
    reply.body = b""
    return reply
