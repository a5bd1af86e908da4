"""Resume bookkeeping for a stream of events with ids, and the reconnect budget. Pure: no I/O.

Ids are not unique on every server (the in-memory one stamps `<ms>-0`, shared by all events of a
millisecond) and a replay starts strictly after the id it is given. So a resume goes from the
distinct id *before* the last one delivered, and skips the events already delivered under the
last id when the server sends them again.
"""

from __future__ import annotations

from typing import Protocol

from . import _retry

__all__ = ["DEFAULT_MAX_RECONNECTS", "ReconnectBudget", "ReconnectPolicy", "ResumeTracker"]

DEFAULT_MAX_RECONNECTS = 5


class ResumeTracker:
    """Which event ids a stream delivered, and where its next connection must start.

    `replays_all`: the endpoint takes `Last-Event-ID: -1` as "from the start".
    """

    def __init__(self, last_event_id: str | None = None, *, replays_all: bool = True) -> None:
        self.initial_last_id = last_event_id
        """The id the stream began after (a join's `last_event_id`), counted as delivered."""
        self.last_id = last_event_id
        """The id of the last event delivered (or `initial_last_id`)."""
        self.delivered = 0
        """Parts delivered so far, with or without an id."""
        self.replays_all = replays_all
        self._last_id_count = 0  # events delivered carrying `last_id`
        self._prev_id: str | None = None  # the distinct id delivered before `last_id`
        self._skip = 0  # replayed events under `last_id` still to drop after a resume

    def accept(self, event_id: str) -> bool:
        """Record an event's id; False for a replayed event that was delivered already."""
        if event_id == self.last_id:
            if self._skip:
                self._skip -= 1
                return False
            self._last_id_count += 1
        else:
            self._skip = 0
            self._prev_id, self.last_id, self._last_id_count = self.last_id, event_id, 1
        return True

    @property
    def can_resume(self) -> bool:
        """Without an id to resume after, a replay would repeat what was already delivered."""
        return self.last_id is not None or not self.delivered

    def resume_after(self) -> str | None:
        """The `Last-Event-ID` of the next connection (`None`: send none). From now on the
        events under the last id that the replay repeats are skipped."""
        after = self.last_id
        if self._last_id_count and (self._prev_id or self.replays_all):
            after = self._prev_id or "-1"
            self._skip = self._last_id_count
        return after


class ReconnectPolicy(Protocol):
    """When a broken stream tries again, and when it gives up: what the stream shell asks."""

    attempts: int
    """Attempts since the stream last made progress (reported to `on_reconnect`)."""
    reconnects: int
    """Every attempt over the stream's life (`stream.reconnects`)."""

    def progress(self) -> None:
        """A new event arrived."""

    def next_delay(self) -> float | None:
        """Seconds to wait before the next attempt (counting it), or `None` to give up."""


class ReconnectBudget:
    """Reconnect attempts with backoff. The budget is per break: attempts since the last event,
    so a long run behind a proxy that cuts every connection after a while survives any number
    of such cuts."""

    def __init__(self, max_reconnects: int = DEFAULT_MAX_RECONNECTS) -> None:
        self.max_reconnects = max_reconnects
        self.attempts = 0
        """Reconnect attempts since the stream last made progress."""
        self.reconnects = 0
        """Every reconnect attempt over the stream's life."""

    def progress(self) -> None:
        """A new event arrived: the next break gets a fresh budget."""
        self.attempts = 0

    def next_delay(self) -> float | None:
        """Seconds to wait before the next attempt, or `None` when the budget is spent."""
        if self.attempts >= self.max_reconnects:
            return None
        delay = _retry.backoff(self.attempts)
        self.attempts += 1
        self.reconnects += 1
        return delay
