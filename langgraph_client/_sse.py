"""Server-Sent Events decoding at the byte level: the one SSE path every stream goes through.

Field semantics follow the WHATWG event-stream rules as httpx-sse implements them (its decoder
is the reference in our property tests), but lines are split on bytes, which is about twice as
fast as decoding text line by line. Lines end in CR, LF or CRLF, and only there: U+2028 and
other Unicode separators inside JSON strings are data, not line ends.

Two deliberate differences from httpx-sse: an event is dispatched only when its block had an
`event` or `data` field (a block holding just `id:`/`retry:`, or the blank line after a
`: heartbeat` comment, updates state but yields nothing), and data stays bytes so that orjson
can decode it without an extra UTF-8 round trip.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "SSEDecodeError", "SSEDecoder", "ServerSentEvent"]

DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024


class SSEDecodeError(ValueError):
    """The byte stream is not valid SSE (a line over the size limit, an undecodable field)."""


class ServerSentEvent(NamedTuple):
    """One decoded event. `data` is the raw bytes of the joined `data:` lines, `None` if none."""

    event: str
    data: bytes | None
    id: str | None
    retry: int | None


class SSEDecoder:
    """Incremental decoder: `feed()` chunks as they arrive, `flush()` at the end of the body."""

    __slots__ = (
        "_data",
        "_event",
        "_has_event",
        "_last_id",
        "_max",
        "_pending",
        "_pending_size",
        "_retry",
        "_skip_lf",
    )

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._pending: list[bytes] = []  # the start of a line whose end has not arrived
        self._pending_size = 0
        self._skip_lf = False  # the last chunk ended in CR: a LF starting the next one is its pair
        self._event: bytes | None = None
        self._data: list[bytes] = []
        self._has_event = False
        self._last_id: str | None = None
        self._retry: int | None = None

    @property
    def last_event_id(self) -> str | None:
        """The last `id:` seen, kept across events as the spec says (what resumes send back)."""
        return self._last_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk; returns the events it completed (often none, sometimes many)."""
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\n" not in chunk and b"\r" not in chunk:
            if chunk:
                self._hold(chunk)
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending.clear()
            self._pending_size = 0
        lines = chunk.splitlines()  # bytes.splitlines splits on CR, LF and CRLF only
        last = chunk[-1]
        if last == 13:  # CR
            self._skip_lf = True
        elif last != 10:  # LF
            self._hold(lines.pop())
        return self._lines(lines)

    def flush(self) -> list[ServerSentEvent]:
        """End of body: a final line without its line end still counts, then the open event."""
        lines = [b"".join(self._pending)] if self._pending else []
        self._pending.clear()
        self._pending_size = 0
        lines.append(b"")
        return self._lines(lines)

    def _hold(self, part: bytes) -> None:
        self._pending_size += len(part)
        if self._pending_size + sum(map(len, self._data)) > self._max:
            raise SSEDecodeError(f"an SSE line or event exceeds {self._max} bytes")
        self._pending.append(part)

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if not line:
                if self._has_event:
                    events.append(self._dispatch())
                continue
            if line[0] == 58:  # ":" starts a comment (heartbeats)
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
                self._has_event = True
            elif name == b"event":
                self._event = value
                self._has_event = True
            elif name == b"id":
                if b"\0" not in value:
                    self._last_id = _text(value)
            elif name == b"retry" and value.isdigit():
                self._retry = int(value)
        if self._data and sum(map(len, self._data)) > self._max:
            raise SSEDecodeError(f"an SSE event exceeds {self._max} bytes")
        return events

    def _dispatch(self) -> ServerSentEvent:
        data = self._data
        event = ServerSentEvent(
            _text(self._event) if self._event else "message",
            (data[0] if len(data) == 1 else b"\n".join(data)) if data else None,
            self._last_id,
            self._retry,
        )
        self._event = None
        self._data = []
        self._has_event = False
        self._retry = None
        return event


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError as exc:
        raise SSEDecodeError(f"SSE field is not valid UTF-8: {value[:80]!r}") from exc
