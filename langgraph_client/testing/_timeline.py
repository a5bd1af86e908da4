"""A scripted run played over time, and the response bodies that read it (pure: no I/O).

A run's events are fixed when it is created, each stamped with the moment it "happens"; a body
is a `Feed` that the transport asks, again and again, what to send at time `now`: bytes, a
moment to wake up at, the end, or a dropped connection. So one model drives streams, waits,
joins, replays and faults, for the async and the sync transport alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

__all__ = [
    "HEARTBEAT",
    "BytesFeed",
    "Feed",
    "FaultyFeed",
    "Step",
    "StreamFeed",
    "TimedEvent",
    "Timeline",
    "WaitFeed",
    "encode_event",
]

HEARTBEAT = b": heartbeat\r\n\r\n"
"""The server's keep-alive comment on an idle stream (its own chunk)."""
WAIT_KEEPALIVE = b"\n"
"""The server's keep-alive before a wait/join body."""


def encode_event(name: str, data: Any, event_id: str | None) -> bytes:
    """One event as the Agent Server writes it: CRLF lines, one `data:` line, `id:` after it."""
    out = b"event: " + name.encode() + b"\r\ndata: " + orjson.dumps(data) + b"\r\n"
    if event_id is not None:
        out += b"id: " + event_id.encode() + b"\r\n"
    return out + b"\r\n"


@dataclass(frozen=True)
class TimedEvent:
    """A run's event and the moment (clock seconds) it happens."""

    name: str
    data: Any
    at: float
    id: str | None


@dataclass
class Timeline:
    """One run's events and end, on the fake's clock; cancelling cuts it short."""

    events: list[TimedEvent]
    start: float
    end: float
    on_disconnect: str = "continue"
    cancelled_at: float | None = None

    @property
    def stop(self) -> float:
        """When the run ends (or ended): its scripted end, or the cancel."""
        if self.cancelled_at is not None:
            return min(self.end, self.cancelled_at)
        return self.end

    def finished(self, now: float) -> bool:
        return now >= self.stop

    def cancelled(self, now: float) -> bool:
        return self.cancelled_at is not None and self.cancelled_at < self.end and now >= self.stop

    def cancel(self, now: float) -> bool:
        """Stop the run now; False if it had already ended."""
        if self.finished(now):
            return False
        self.cancelled_at = max(now, self.start)
        return True

    def happened(self, event: TimedEvent) -> bool:
        """False for an event a cancel removed before it happened."""
        return event.at <= self.stop


@dataclass
class Step:
    """What a body does next: send `data`, or wait until `wait_until`, or end (`done`/`drop`)."""

    data: bytes = b""
    wait_until: float | None = None
    done: bool = False
    drop: bool = False
    counts: bool = False
    """`data` is an event (heartbeats do not count towards fault thresholds)."""


class Feed(Protocol):
    """A response body played over time."""

    def step(self, now: float) -> Step: ...

    def disconnected(self, now: float) -> None:
        """The connection ended before the body did (client closed it, or a drop fault)."""


@dataclass
class StreamFeed:
    """An SSE body: `timeline` events from index `position`, filtered by `keep`, with heartbeats."""

    lock: threading.RLock
    timeline: Timeline
    position: int
    opened: float
    heartbeat: float | None
    keep: Callable[[TimedEvent], bool] = lambda event: True
    with_ids: bool = True
    on_disconnect: Callable[[float], None] | None = None
    _next_heartbeat: float = field(init=False)

    def __post_init__(self) -> None:
        self._next_heartbeat = self.opened + (self.heartbeat or 0.0)

    def step(self, now: float) -> Step:
        with self.lock:
            timeline = self.timeline
            events = timeline.events
            while self.position < len(events):
                event = events[self.position]
                if not timeline.happened(event):
                    break
                if event.at > now:
                    return self._wait(now, event.at)
                self.position += 1
                if self.keep(event):
                    event_id = event.id if self.with_ids else None
                    return Step(data=encode_event(event.name, event.data, event_id), counts=True)
            if timeline.finished(now):
                return Step(done=True)
            return self._wait(now, timeline.stop)

    def _wait(self, now: float, until: float) -> Step:
        if self.heartbeat:
            if now >= self._next_heartbeat:
                self._next_heartbeat = max(self._next_heartbeat + self.heartbeat, now)
                return Step(data=HEARTBEAT)
            until = min(until, self._next_heartbeat)
        return Step(wait_until=until)

    def disconnected(self, now: float) -> None:
        if self.on_disconnect is not None:
            self.on_disconnect(now)


@dataclass
class WaitFeed:
    """A wait/join body: `\\n` keep-alives while the run lasts, then the JSON `result()`."""

    lock: threading.RLock
    timeline: Timeline
    opened: float
    heartbeat: float | None
    result: Callable[[], bytes]
    on_disconnect: Callable[[float], None] | None = None
    _sent: bool = False
    _next_heartbeat: float = field(init=False)

    def __post_init__(self) -> None:
        self._next_heartbeat = self.opened + (self.heartbeat or 0.0)

    def step(self, now: float) -> Step:
        with self.lock:
            if self._sent:
                return Step(done=True)
            if self.timeline.finished(now):
                self._sent = True
                return Step(data=self.result(), counts=True)
            until = self.timeline.stop
            if self.heartbeat:
                if now >= self._next_heartbeat:
                    self._next_heartbeat = max(self._next_heartbeat + self.heartbeat, now)
                    return Step(data=WAIT_KEEPALIVE)
                until = min(until, self._next_heartbeat)
            return Step(wait_until=until)

    def disconnected(self, now: float) -> None:
        if self.on_disconnect is not None:
            self.on_disconnect(now)


@dataclass
class FaultyFeed:
    """A body that drops its connection, or goes silent for `stall` seconds, after `after`
    events."""

    inner: Feed
    after: int
    drop: bool = False
    stall: float = 0.0
    _sent: int = 0
    _stall_until: float | None = None
    _stalled: bool = False

    def step(self, now: float) -> Step:
        if self._sent >= self.after:
            if self.drop:
                return Step(drop=True)
            if not self._stalled and self.stall > 0:
                self._stalled = True
                self._stall_until = now + self.stall
            if self._stall_until is not None and now < self._stall_until:
                return Step(wait_until=self._stall_until)
        step = self.inner.step(now)
        if step.counts:
            self._sent += 1
        return step

    def disconnected(self, now: float) -> None:
        self.inner.disconnected(now)


@dataclass
class BytesFeed:
    """A fixed body sent as one chunk (so a fault can drop or stall any response)."""

    body: bytes
    _sent: bool = False

    def step(self, now: float) -> Step:
        if self._sent or not self.body:
            return Step(done=True)
        self._sent = True
        return Step(data=self.body, counts=True)

    def disconnected(self, now: float) -> None:
        pass
