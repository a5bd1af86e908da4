"""What a stream knows across its connections: parts, the run, ids, failures. Pure: the I/O
shell in `_stream` (and its generated sync twin) delegates every decision here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import httpx

from ._exceptions import APIResponseValidationError, RunFailedError
from ._json import loads as _loads
from ._paths import parse_run_location
from ._resume import ResumeTracker
from ._sse import PartDecoder, ServerSentEvent

if TYPE_CHECKING:
    from .types import RunCreateMetadata

__all__ = [
    "OnReconnect",
    "OnRunCreated",
    "ConvertEvents",
    "ResumeRequest",
    "RunEvents",
    "RunMetadata",
    "StreamEvents",
    "StreamPart",
]

_new = tuple.__new__  # builds a NamedTuple without its Python-level constructor
_SPECIAL = ("metadata", "error")  # events `general` must see: the run id, a run failure

RunMetadata = Mapping[str, Any]
"""`{"run_id": str, "thread_id": str | None}`: what `on_run_created` receives."""

ResumeRequest = Callable[[RunMetadata | None, str | None], httpx.Request | None]
"""Builds the request that reconnects to a run's stream after the given event id, or `None`
when the stream cannot be resumed."""


OnRunCreated = Callable[["RunCreateMetadata"], Any]
"""`on_run_created(run)`: called once the run's id is known, before its first part or result."""

OnReconnect = Callable[[int, "str | None"], Any]
"""`on_reconnect(attempt, last_event_id)`: called before each reconnect attempt."""


class StreamPart(NamedTuple):
    """One event of a run's stream."""

    event: str
    """The event name: `metadata`, `values`, `updates`, `messages`, `error`, ... Subgraph events
    are namespaced as `mode|node:task_id`. Names this client does not know pass through."""
    data: Any
    """The event's JSON payload, decoded; `None` for an event without data."""
    id: str | None = None
    """The event id (resumable streams only): the `Last-Event-ID` to resume after this event."""


class StreamEvents(Protocol):
    """The bookkeeping a stream shell delegates to. Another kind of stream (another resume
    rule, another dedupe) plugs in its own object with these members."""

    run: RunMetadata | None
    """The run being streamed, once known."""
    failure: BaseException | None
    """Raised by the shell after the parts the decoder returned have been delivered."""

    @property
    def last_event_id(self) -> str | None:
        """The last id delivered: reported with a reconnect and in `StreamLostError`."""

    def opened(self, response: httpx.Response) -> None:
        """Check a (re)connected response before its body is read."""

    def decoder(self, max_event_bytes: int) -> PartDecoder[StreamPart]:
        """A decoder of one connection's body into the parts to deliver (replays dropped)."""

    def delivered(self, count: int) -> None:
        """`count` more parts were delivered."""

    def resume_request(self) -> httpx.Request | None:
        """The request that continues after a break, or `None` if it cannot resume."""


class ConvertEvents:
    """Base of a `StreamEvents` that turns decoded events into parts with `convert`: its
    decoder sends every event there, one at a time (no fast path)."""

    failure: BaseException | None

    def convert(self, events: list[ServerSentEvent]) -> list[StreamPart]:
        """The parts for decoded events; a failure stops the list and is kept in `failure`."""
        raise NotImplementedError

    def decoder(self, max_event_bytes: int) -> PartDecoder[StreamPart]:
        return PartDecoder(
            StreamPart, _loads, self._one, max_event_bytes=max_event_bytes, all_general=True
        )

    def delivered(self, count: int) -> None:
        """Nothing to count here: `convert` keeps its own books."""

    def _one(self, event: ServerSentEvent, parts: list[StreamPart]) -> bool:
        parts += self.convert([event])
        return self.failure is not None


class RunEvents:
    """The bookkeeping of a run's stream: the run (from `Content-Location` or the `metadata`
    event, reported once to `on_run_created`), the ids delivered (`ResumeTracker`), how to
    resume (`resume` builds the request), and an `error` event to raise when `raise_error`.
    `live`: a join without `last_event_id`, which sees the run from the moment it joined."""

    def __init__(
        self,
        *,
        resume: ResumeRequest | None = None,
        on_run_created: Callable[[Any], Any] | None = None,
        raise_error: bool = False,
        run: RunMetadata | None = None,
        thread_id: str | None = None,
        last_event_id: str | None = None,
        replays_all: bool = True,
        live: bool = False,
    ) -> None:
        self.run = run
        self.failure: BaseException | None = None
        self.ids = ResumeTracker(last_event_id, replays_all=replays_all, live=live)
        self._resume = resume
        self._on_run_created = on_run_created
        self._raise_error = raise_error
        self._thread_hint = thread_id  # the thread a threaded run was created on
        self._response: httpx.Response | None = None

    @property
    def run_id(self) -> str | None:
        return self.run["run_id"] if self.run else None

    @property
    def thread_id(self) -> str | None:
        return self.run.get("thread_id") if self.run else None

    @property
    def last_event_id(self) -> str | None:
        return self.ids.last_id

    def opened(self, response: httpx.Response) -> None:
        self._response = response
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" not in content_type:
            raise APIResponseValidationError(
                f"expected an event stream from {response.request.method} "
                f"{response.request.url.path}, got {content_type or 'no content type'}",
                request=response.request,
                response=response,
            )
        if self.run is None:
            run = parse_run_location(response.headers.get("content-location"))
            if run is not None:
                self._found_run(run)

    def decoder(self, max_event_bytes: int) -> PartDecoder[StreamPart]:
        """SSE, JSON and parts in one pass: the common event never reaches Python code here;
        ids, `metadata`, `error` and anything unusual come through `general`."""
        return PartDecoder(
            StreamPart, _loads, self.general, special=_SPECIAL, max_event_bytes=max_event_bytes
        )

    def delivered(self, count: int) -> None:
        self.ids.delivered += count

    def general(self, event: ServerSentEvent, parts: list[StreamPart]) -> bool:
        """One event off the decoder's fast path into `parts`. True stops the stream: an
        `error` that must raise (`failure` holds it, raised once the parts before it are out).
        """
        name, raw, event_id, _retry_ms = event
        if event_id is not None and not self.ids.accept(event_id):
            return False  # a replay of an event delivered before the resume
        try:
            data = _loads(raw) if raw else None
        except ValueError:
            raise self._not_json(name, raw) from None
        if (name == "metadata" or name == "error") and self._special(name, data):
            return True
        parts.append(_new(StreamPart, (name, data, event_id)))
        return False

    def convert(self, events: list[ServerSentEvent]) -> list[StreamPart]:
        """The parts for already decoded events, as `decoder` would give them."""
        parts: list[StreamPart] = []
        for event in events:
            if self.general(event, parts):
                break
        self.delivered(len(parts))
        return parts

    def resume_request(self) -> httpx.Request | None:
        if self._resume is None or not self.ids.can_resume:
            return None
        return self._resume(self.run, self.ids.resume_after())

    def _special(self, name: str, data: Any) -> bool:
        """Learn the run id from `metadata`; True if an `error` event must raise instead."""
        if name == "metadata":
            if self.run is None and isinstance(data, dict):
                self._found_run({"run_id": data.get("run_id"), "thread_id": self._thread_hint})
            return False
        if not self._raise_error:
            return False
        info = data if isinstance(data, dict) else {"message": data}
        self.failure = RunFailedError(
            error=info.get("error"),
            message=info.get("message"),
            run_id=self.run_id,
            thread_id=self.thread_id,
        )
        return True

    def _not_json(self, name: str, raw: bytes | None) -> APIResponseValidationError:
        response = self._response
        return APIResponseValidationError(
            f"event {name!r} carries data that is not JSON: {(raw or b'')[:200]!r}",
            request=response.request if response is not None else None,
            response=response,
        )

    def _found_run(self, run: RunMetadata) -> None:
        self.run = run
        if self._on_run_created is not None:
            self._on_run_created(run)
