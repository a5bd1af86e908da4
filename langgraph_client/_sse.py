"""Server-Sent Events decoding at the byte level: the one SSE path every stream goes through.

Field semantics follow the WHATWG event-stream rules as httpx-sse implements them (its decoder
is the reference in our property tests), but lines are split on bytes, which is about twice as
fast as decoding text line by line. Lines end in CR, LF or CRLF, and only there: U+2028 and
other Unicode separators inside JSON strings are data, not line ends.

Deliberate differences from httpx-sse: an event is dispatched only when its block had an
`event` or `data` field (a block holding just `id:`/`retry:`, or the blank line after a
`: heartbeat` comment, updates state but yields nothing), while a block whose only field is an
empty `event:` is dispatched as `message`; `retry` takes ASCII digits only, as the spec says;
`flush()` dispatches a last event that lacks its closing blank line; and data stays bytes so
that orjson decodes it without a UTF-8 round trip.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "SSEDecodeError", "SSEDecoder", "ServerSentEvent"]

DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024
_MAX_RETRY_DIGITS = 18  # int() refuses thousands of digits; no sane retry needs more than this


class SSEDecodeError(ValueError):
    """The byte stream is not valid SSE (a line over the size limit, an undecodable field)."""


class ServerSentEvent(NamedTuple):
    """One decoded event. `data` is the raw bytes of the joined `data:` lines, `None` if none."""

    event: str
    data: bytes | None
    id: str | None
    retry: int | None


# Built with tuple.__new__: a NamedTuple's own constructor is a Python call, and this is per event.
_new = tuple.__new__


class SSEDecoder:
    """Incremental decoder: `feed()` chunks as they arrive, `flush()` at the end of the body."""

    __slots__ = (
        "_data",
        "_data_size",
        "_event",
        "_has_event",
        "_last_id",
        "_max",
        "_names",
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
        self._event: str | None = None
        self._data: list[bytes] = []
        self._data_size = 0
        self._has_event = False
        self._last_id: str | None = None
        self._retry: int | None = None
        self._names: dict[bytes, str] = {}  # `event:` line -> name; names repeat

    @property
    def last_event_id(self) -> str | None:
        """The last `id:` seen, kept across events as the spec says (what resumes send back)."""
        return self._last_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk; returns the events it completed (often none, sometimes many)."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 10:
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
        # Only a chunk longer than the limit can complete an over-long line or event in itself.
        return self._lines(lines, len(chunk) > self._max)

    def flush(self) -> list[ServerSentEvent]:
        """End of body: a final line without its line end still counts, then the open event."""
        lines = [b"".join(self._pending)] if self._pending else []
        self._pending.clear()
        self._pending_size = 0
        lines.append(b"")
        return self._lines(lines, True)

    def _hold(self, part: bytes) -> None:
        self._pending_size += len(part)
        if self._pending_size + self._data_size > self._max:
            raise SSEDecodeError(f"an SSE line or event exceeds {self._max} bytes")
        self._pending.append(part)

    def _lines(self, lines: list[bytes], check: bool) -> list[ServerSentEvent]:
        # The hot loop of every stream. State lives in locals, written back at the end; fields
        # are matched with startswith (no partition, no slices) in order of frequency.
        events: list[ServerSentEvent] = []
        emit, new, sse, limit, names = events.append, _new, ServerSentEvent, self._max, self._names
        event, data, size, has_event = self._event, self._data, self._data_size, self._has_event
        last_id, retry = self._last_id, self._retry
        for line in lines:
            if not line:
                if has_event:
                    if size > limit:
                        raise SSEDecodeError(f"an SSE event exceeds {limit} bytes")
                    payload = (data[0] if len(data) == 1 else b"\n".join(data)) if data else None
                    emit(new(sse, (event or "message", payload, last_id, retry)))
                    data.clear()  # reused: a new list per event would feed the cyclic GC
                    event, size, has_event, retry = None, 0, False, None
                continue
            if check and len(line) > limit:
                raise SSEDecodeError(f"an SSE line exceeds {limit} bytes")
            # The usual spelling ("data: ", with the space) first: one call decides it.
            if line.startswith(b"data: "):
                value = line[6:]
                data.append(value)
                size += len(value)
                has_event = True
            elif line.startswith(b"event:"):
                event = names.get(line) or self._name(line)
                has_event = True
            elif line[0] == 58:  # ":" starts a comment (heartbeats)
                continue
            elif line.startswith(b"data:"):  # no space after the colon
                value = line[5:]
                data.append(value)
                size += len(value)
                has_event = True
            elif line.startswith(b"id:"):
                value = line[4:] if line[3:4] == b" " else line[3:]
                if b"\0" not in value:
                    last_id = _text(value)
            elif line.startswith(b"retry:"):
                value = line[7:] if line[6:7] == b" " else line[6:]
                if value.isdigit() and len(value) <= _MAX_RETRY_DIGITS:
                    retry = int(value)
            elif line == b"data":  # a field without a colon has an empty value
                data.append(b"")
                has_event = True
            elif line == b"event":
                event = None
                has_event = True
            elif line == b"id":
                last_id = ""
        self._event, self._data, self._data_size, self._has_event = event, data, size, has_event
        self._last_id, self._retry = last_id, retry
        if size > limit:
            raise SSEDecodeError(f"an SSE event exceeds {limit} bytes")
        return events

    def _name(self, line: bytes) -> str:
        """The event name of an `event:` line, cached by the whole line (names repeat)."""
        name = _text(line[7:] if line[6:7] == b" " else line[6:])
        if len(self._names) < 256:  # a server inventing names must not grow this forever
            self._names[line] = name
        return name


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError as exc:
        raise SSEDecodeError(f"SSE field is not valid UTF-8: {value[:80]!r}") from exc
