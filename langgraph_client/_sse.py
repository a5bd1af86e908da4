"""Server-Sent Events decoding at the byte level: the one SSE path every stream goes through.

Field semantics follow the WHATWG event-stream rules as httpx-sse implements them (its decoder
is the reference in our property tests), but lines are split on bytes, which is about twice as
fast as decoding text line by line. Lines end in CR, LF or CRLF, and only there: U+2028 and
other Unicode separators inside JSON strings are data, not line ends. One UTF-8 BOM at the very
start of the stream is dropped, as the spec's decoding step does.

One pass: `PartDecoder` turns the common event (`event:`, one `data:` line, a blank line, no
`id` or `retry` ever seen) straight into the caller's part type with its JSON decoded, in the
same loop that splits the lines; every other event (ids, multi-line data, `retry`, no data,
data that is not JSON, names the caller marks as special) goes as a `ServerSentEvent` to the
caller's `general` hook, which owns what those need (resume ids, run failures). `SSEDecoder`
is the same loop with every event sent the general way: plain `ServerSentEvent`s.

Deliberate differences from httpx-sse: an event is dispatched only when its block had an
`event` or `data` field (a block holding just `id:`/`retry:`, or the blank line after a
`: heartbeat` comment, updates state but yields nothing), while a block whose only field is an
empty `event:` is dispatched as `message`; `retry` takes ASCII digits only, as the spec says;
`flush()` dispatches a last event that lacks its closing blank line; a leading BOM is dropped;
and data stays bytes so that orjson decodes it without a UTF-8 round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "General",
    "PartDecoder",
    "SSEDecodeError",
    "SSEDecoder",
    "ServerSentEvent",
]

DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024
_MAX_RETRY_DIGITS = 18  # int() refuses thousands of digits; no sane retry needs more than this
_BOM = b"\xef\xbb\xbf"


class SSEDecodeError(ValueError):
    """The byte stream is not valid SSE (a line over the size limit, an undecodable field)."""


class ServerSentEvent(NamedTuple):
    """One decoded event. `data` is the raw bytes of the joined `data:` lines, `None` if none."""

    event: str
    data: bytes | None
    id: str | None
    retry: int | None


T = TypeVar("T")

General = Callable[[ServerSentEvent, list[T]], object]
"""The hook for events off the fast path: append zero or more parts to the list; return a true
value to stop decoding (the stream ends after the parts already in the list)."""

# Built with tuple.__new__: a NamedTuple's own constructor is a Python call, and this is per event.
_new: Callable[..., Any] = tuple.__new__


class PartDecoder(Generic[T]):
    """Incremental decoder to parts: `feed()` chunks as they arrive, `flush()` at the end.

    A common event becomes `part_type(name, loads(data), None)` (a NamedTuple type, built
    without its Python constructor); any other goes to `general` (see the module docstring).
    """

    __slots__ = (
        "_all_general",
        "_data",
        "_data_size",
        "_event",
        "_failure",
        "_general",
        "_has_event",
        "_head",
        "_is_general",
        "_last_id",
        "_loads",
        "_max",
        "_names",
        "_part",
        "_pending",
        "_pending_size",
        "_retry",
        "_skip_lf",
        "_special",
        "_stopped",
    )

    def __init__(
        self,
        part_type: type[T],
        loads: Callable[[bytes], Any],
        general: General[T],
        *,
        special: Collection[str] = (),
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        all_general: bool = False,
    ) -> None:
        self._part = part_type
        self._loads = loads
        self._general = general
        self._special = frozenset(special)
        self._all_general = all_general
        self._max = max_event_bytes
        self._head: bytes | None = b""  # the stream's first bytes until a BOM is ruled out
        self._pending: list[bytes] = []  # the start of a line whose end has not arrived
        self._pending_size = 0
        self._skip_lf = False  # the last chunk ended in CR: a LF starting the next one is its pair
        self._event: str | None = None
        self._data: list[bytes] = []
        self._data_size = 0
        self._has_event = False
        self._is_general = all_general  # the open event must take the general path
        self._last_id: str | None = None
        self._retry: int | None = None
        self._stopped = False
        self._failure: Exception | None = None  # to raise once the parts before it are out
        # `event:` line -> name, for names that may take the fast path; names repeat.
        self._names: dict[bytes, str] = {}

    @property
    def last_event_id(self) -> str | None:
        """The last `id:` seen, kept across events as the spec says (what resumes send back)."""
        return self._last_id

    def feed(self, chunk: bytes) -> list[T]:
        """Decode one chunk; returns the parts it completed (often none, sometimes many)."""
        if self._failure is not None:
            raise self._failure
        if self._head is not None:
            chunk = self._strip_bom(chunk)
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
        lines = _split_lines(chunk)
        last = chunk[-1]
        tail = None
        if last == 13:  # CR
            self._skip_lf = True
        elif last != 10:  # LF
            tail = lines.pop()
        out: list[T] = []
        try:
            # Only a chunk longer than the limit can complete an over-long line or event.
            self._lines(lines, len(chunk) > self._max, out)
            if tail is not None:
                self._hold(tail)
        except Exception as exc:
            self._fail(exc, out)
        return out

    def flush(self) -> list[T]:
        """End of body: a final line without its line end still counts, then the open event."""
        if self._failure is not None:
            raise self._failure
        if self._head:  # the whole body was a prefix of a BOM: bytes of a line after all
            self._pending.append(self._head)
        self._head = None
        lines = [b"".join(self._pending)] if self._pending else []
        self._pending.clear()
        self._pending_size = 0
        lines.append(b"")
        out: list[T] = []
        try:
            self._lines(lines, True, out)
        except Exception as exc:
            self._fail(exc, out)
        return out

    def _fail(self, exc: Exception, out: list[T]) -> None:
        """A bad line or event (or the hook's error for it): raised now if nothing came
        before it in this chunk, else on the next call, once the parts before it are out."""
        if not out:
            raise exc
        self._failure = exc

    def _strip_bom(self, chunk: bytes) -> bytes:
        chunk = self._head + chunk if self._head else chunk
        if len(chunk) < 3 and _BOM.startswith(chunk):
            self._head = chunk  # maybe a BOM split across chunks: wait for more
            return b""
        self._head = None
        return chunk[3:] if chunk.startswith(_BOM) else chunk

    def _hold(self, part: bytes) -> None:
        self._pending_size += len(part)
        if self._pending_size + self._data_size > self._max:
            raise SSEDecodeError(f"an SSE line or event exceeds {self._max} bytes")
        self._pending.append(part)

    def _lines(self, lines: list[bytes], check: bool, out: list[T]) -> None:
        # The hot loop of every stream. State lives in locals, written back at the end; fields
        # are matched with startswith (no partition, no slices) in order of frequency.
        # `general` is True for an event that cannot take the fast path; it starts each event
        # True for good once an `id` was seen (every later event carries it).
        if self._stopped:
            return
        add, new, part, loads, names = out.append, _new, self._part, self._loads, self._names
        sse, hook, limit = ServerSentEvent, self._general, self._max
        event, data, size, has_event = self._event, self._data, self._data_size, self._has_event
        last_id, retry = self._last_id, self._retry
        base = self._all_general or last_id is not None
        general = self._is_general
        for line in lines:
            if not line:
                if has_event:
                    if size > limit:
                        raise SSEDecodeError(f"an SSE event exceeds {limit} bytes")
                    stop: object = False
                    if general or len(data) != 1:
                        payload = (
                            (data[0] if len(data) == 1 else b"\n".join(data)) if data else None
                        )
                        stop = hook(new(sse, (event or "message", payload, last_id, retry)), out)
                    else:
                        try:
                            add(new(part, (event or "message", loads(data[0]), None)))
                        except ValueError:  # not JSON: the general path says how to fail
                            stop = hook(new(sse, (event or "message", data[0], None, None)), out)
                    data.clear()  # reused: a new list per event would feed the cyclic GC
                    event, size, has_event, retry, general = None, 0, False, None, base
                    if stop:
                        self._stopped = True
                        break
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
                event = names.get(line)
                if event is None:  # new, or special: the general path
                    event = self._name(line)
                    general = True
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
                    general = base = True
            elif line.startswith(b"retry:"):
                value = line[7:] if line[6:7] == b" " else line[6:]
                if value.isdigit() and len(value) <= _MAX_RETRY_DIGITS:
                    retry = int(value)
                    general = True
            elif line == b"data":  # a field without a colon has an empty value
                data.append(b"")
                has_event = True
            elif line == b"event":
                event = None
                has_event = True
            elif line == b"id":
                last_id = ""
                general = base = True
        self._event, self._data, self._data_size, self._has_event = event, data, size, has_event
        self._last_id, self._retry, self._is_general = last_id, retry, general
        if size > limit:
            raise SSEDecodeError(f"an SSE event exceeds {limit} bytes")

    def _name(self, line: bytes) -> str:
        """The event name of an `event:` line, cached by the whole line (names repeat) unless
        it is special (those always take the general path)."""
        name = _text(line[7:] if line[6:7] == b" " else line[6:])
        if len(self._names) < 256 and name not in self._special:
            self._names[line] = name  # a server inventing names must not grow this forever
        return name


def _append(event: ServerSentEvent, out: list[ServerSentEvent]) -> None:
    out.append(event)


def _no_json(data: bytes) -> Any:
    raise AssertionError("SSEDecoder sends every event the general way")  # pragma: no cover


class SSEDecoder(PartDecoder[ServerSentEvent]):
    """Incremental decoder to plain `ServerSentEvent`s (data left as bytes)."""

    __slots__ = ()

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        super().__init__(
            ServerSentEvent, _no_json, _append, max_event_bytes=max_event_bytes, all_general=True
        )


_LONG_CHUNK = 2048  # below this, `splitlines` is always the faster split
_SHORT_LINES = 16  # this many lines in under a kilobyte each: the rest has short lines too


def _split_lines(chunk: bytes) -> list[bytes]:
    """`chunk.splitlines()`: lines end in CR, LF or CRLF only.

    `splitlines` tests every byte in a plain loop (~0.4 ns a byte), while `find` runs at
    memchr speed (~0.01 ns a byte). For chunks of a few long lines (large events: 50 KB of
    JSON on one `data:` line) finding the line ends is ~20x cheaper; once a chunk shows many
    short lines, the rest goes to `splitlines`, which is cheaper per line.
    """
    end = len(chunk)
    if end < _LONG_CHUNK:
        return chunk.splitlines()
    find = chunk.find
    lines: list[bytes] = []
    start = 0
    cr, lf = find(b"\r"), find(b"\n")  # the next of each at or after `start`, -1 if none
    while start < end:
        if len(lines) == _SHORT_LINES and start < _SHORT_LINES * 1024:
            lines += chunk[start:].splitlines()
            return lines
        if lf != -1 and (cr == -1 or lf < cr):
            lines.append(chunk[start:lf])
            start = lf + 1
            lf = find(b"\n", start)
        elif cr != -1:
            lines.append(chunk[start:cr])
            start = cr + 1
            if lf == start:  # CRLF: one line end
                start += 1
                lf = find(b"\n", start)
            cr = find(b"\r", start)
        else:
            lines.append(chunk[start:])
            break
    return lines


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError as exc:
        raise SSEDecodeError(f"SSE field is not valid UTF-8: {value[:80]!r}") from exc
