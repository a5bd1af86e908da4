"""Resume bookkeeping for a stream of events with ids. Pure: no I/O.

Ids are not unique on every server (the in-memory one stamps `<ms>-0`, shared by all events of a
millisecond) and a replay starts strictly after the id it is given. So a resume goes from the
distinct id *before* the last one delivered, and skips the events already delivered under the
last id when the server sends them again; any event older than the last one delivered is a
replay too, and is dropped.

How long to keep reconnecting is `_retry.ReconnectPolicy`'s business (re-exported here).
"""

from __future__ import annotations

from typing import Protocol

from ._retry import ReconnectBudget, ReconnectPolicy

__all__ = [
    "DEFAULT_MAX_RECONNECTS",
    "FROM_START",
    "ReconnectBudget",
    "ReconnectPolicy",
    "ReconnectState",
    "ResumeTracker",
    "is_older",
]

FROM_START = "0"
"""The `Last-Event-ID` that replays a run from its first event: sorts before every id. (`-1`
does on the in-memory server, but the Postgres runtime answers it from the memory of the worker
that gets the request only, so a resume landing on another worker would get nothing.)"""

DEFAULT_MAX_RECONNECTS = 5
"""The thread stream's bound on reopening its event connection (run streams, `wait` and `join`
go by `ReconnectPolicy`'s time budget)."""


def _numeric(event_id: str) -> tuple[int, int] | None:
    head, sep, tail = event_id.partition("-")
    if sep and head.isdigit() and tail.isdigit():
        return int(head), int(tail)
    return None


def is_older(event_id: str, than: str) -> bool:
    """Whether `event_id` comes before `than`: `<ms>-<seq>` ids by number (Redis stream ids,
    whose sequence can reach two digits), anything else by its text, as the in-memory server
    compares them (the two agree on its `<ms>-0` ids)."""
    a, b = _numeric(event_id), _numeric(than)
    if a is not None and b is not None:
        return a < b
    return event_id < than


class ResumeTracker:
    """Which event ids a stream delivered, and where its next connection must start.

    `replays_all`: the endpoint takes `Last-Event-ID: 0` (`FROM_START`) as "from the start".
    `live`: the stream began without `Last-Event-ID` on a join, so it sees the run from the
    moment it joined: until its first event, a resume joins live again (a replay from `-1`
    would deliver the run's past).
    """

    def __init__(
        self, last_event_id: str | None = None, *, replays_all: bool = True, live: bool = False
    ) -> None:
        self.initial_last_id = last_event_id
        """The id the stream began after (a join's `last_event_id`), counted as delivered."""
        self.last_id = last_event_id
        """The id of the last event delivered (or `initial_last_id`)."""
        self.delivered = 0
        """Parts delivered so far, with or without an id."""
        self.replays_all = replays_all
        self.live = live and last_event_id is None
        self._last_id_count = 0  # events delivered carrying `last_id`
        self._prev_id: str | None = None  # the distinct id delivered before `last_id`
        self._skip = 0  # replayed events under `last_id` still to drop after a resume

    def accept(self, event_id: str) -> bool:
        """Record an event's id; False for a replayed event that was delivered already."""
        last = self.last_id
        if event_id == last:
            if self._skip:
                self._skip -= 1
                return False
            self._last_id_count += 1
        elif last is not None and self._last_id_count and is_older(event_id, last):
            return False  # older than what was delivered: a replay (from `-1`, or a race)
        else:
            self._skip = 0
            self._prev_id, self.last_id, self._last_id_count = last, event_id, 1
        return True

    @property
    def can_resume(self) -> bool:
        """Without an id to resume after, a replay would repeat what was already delivered."""
        return self.last_id is not None or not self.delivered

    def resume_after(self) -> str | None:
        """The `Last-Event-ID` of the next connection (`None`: send none, join live). From now
        on the events under the last id that the replay repeats are skipped."""
        if not self._last_id_count:
            # Nothing delivered with an id: after the id the stream began after, else live
            # again for a live join, else from the start.
            if self.last_id is not None or self.live or not self.replays_all:
                return self.last_id
            return FROM_START
        if self._prev_id is not None:
            self._skip = self._last_id_count
            return self._prev_id
        if self.replays_all:
            # Everything again; what came before the last id is dropped by `accept`.
            self._skip = self._last_id_count
            return FROM_START
        return self.last_id


class ReconnectState(Protocol):
    """When a broken stream tries again, and when it gives up: what the stream shell asks.
    `ReconnectPolicy.start()` gives one (a `ReconnectBudget`); a stream can be handed another."""

    attempts: int
    """Attempts since the stream last made progress (reported to `on_reconnect`)."""

    @property
    def reconnects(self) -> int:
        """Every attempt over the stream's life (`stream.reconnects`)."""

    @property
    def waited(self) -> float:
        """Seconds spent trying since the last progress (reported when giving up)."""

    def progress(self) -> None:
        """A new event arrived."""

    def next_delay(self) -> float | None:
        """Seconds to wait before the next attempt (counting it), or `None` to give up."""
