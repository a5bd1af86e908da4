"""A local fault-injection HTTP/1.1 server that impersonates Agent Server endpoints.

It is a raw ``asyncio`` server (requests parsed with ``h11``, responses written byte by byte),
not an ASGI app: only raw writes can express a TCP reset mid-body, a stall after headers, a
broken chunked body or a close before any response. One implementation keeps one port, one
origin and one API for every fault.

It runs on 127.0.0.1 in a background thread with its own event loop, so a test's client loop
cannot starve it. Scenarios are queues of response *steps* per route; every request is logged.

Usage::

    with FaultServer() as fs:
        fs.route("POST", "/runs/wait", json_response(503, retry_after=1), json_response(200, {}))
        ...  # point the client at fs.url
        assert fs.count("POST", "/runs/wait") == 2

Session-scoped use (one server per session, a clean slate per test)::

    @pytest.fixture(scope="session")
    def _fault_session() -> Iterator[FaultServer]:
        with FaultServer() as server:
            yield server

    @pytest.fixture
    def fault(_fault_session: FaultServer) -> FaultServer:
        _fault_session.reset()
        return _fault_session

Paths are matched against the raw request path as sent (percent-encoding intact), without the
query string: an exact string, a string ending in ``*`` (prefix), or a compiled regex
(``fullmatch``). A request no route answers gets ``404 {"detail": "no scenario"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http
import itertools
import re
import socket
import struct
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Literal

import h11
import orjson

__all__ = [
    "Close",
    "Dynamic",
    "End",
    "FaultServer",
    "Raw",
    "Reply",
    "RequestRecord",
    "ResumableRun",
    "Route",
    "SSE",
    "SSEEvent",
    "Stall",
    "Step",
    "close_connection",
    "event",
    "html_response",
    "json_response",
    "raw_response",
    "redirect",
    "replay",
    "sse",
    "stall",
    "text_response",
    "wait_response",
]

End = Literal["finish", "close", "reset", "stall"]
"""How a response ends: ``finish`` (proper framing, connection kept alive), ``close`` (FIN now:
an unfinished chunked/Content-Length body becomes an incomplete read), ``reset`` (TCP RST), or
``stall`` (send nothing more until the client leaves, the server resets/stops, or the limit)."""

HeadersLike = Mapping[str, str] | Sequence[tuple[str, str]]
PathSpec = str | re.Pattern[str]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
HEARTBEAT = b": heartbeat\r\n\r\n"
_DEFAULT_STALL_LIMIT = 30.0
_MAX_STOP_WAIT = 2.0


# --------------------------------------------------------------------------- request log


@dataclass
class RequestRecord:
    """One request the server received, and what it did about it."""

    method: str
    path: str
    """Raw path as sent (percent-encoding kept), without the query string."""
    query: str
    headers: dict[str, str]
    """Lower-cased names; repeated headers joined with ``", "``."""
    raw_headers: list[tuple[str, str]]
    body: bytes
    time: float
    """``time.monotonic()`` when the request was fully read."""
    port: int
    connection_id: int
    """Which TCP connection carried it (same id = connection reused)."""
    events_sent: int = 0
    """SSE events written before the response ended (or broke)."""
    heartbeats_sent: int = 0
    outcome: str = "pending"
    """``finish``/``close``/``reset``/``stall``/``client closed``/``error``."""
    unmatched: bool = False
    """No route answered it (it got ``404 {"detail": "no scenario"}``)."""
    client_closed: bool = False
    """The client closed the connection while the response was still being served."""
    ended: float | None = None

    def header(self, name: str) -> str | None:
        """Header value by case-insensitive name."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body decoded as JSON."""
        return orjson.loads(self.body)

    @property
    def params(self) -> dict[str, list[str]]:
        """Parsed query string."""
        return urllib.parse.parse_qs(self.query, keep_blank_values=True)


def _path_matches(spec: PathSpec | None, path: str) -> bool:
    if spec is None:
        return True
    if isinstance(spec, str):
        if spec.endswith("*"):
            return path.startswith(spec[:-1])
        return path == spec
    return spec.fullmatch(path) is not None


def _method_matches(spec: str | None, method: str) -> bool:
    return spec is None or spec == "*" or spec.upper() == method


# --------------------------------------------------------------------------- exchange


class _Exchange:
    """Writes one response on a connection, with the framing chosen by the step."""

    def __init__(self, server: FaultServer, writer: asyncio.StreamWriter, record: RequestRecord):
        self.server = server
        self.writer = writer
        self.record = record
        self.chunked = False
        self.close_delimited = False
        self.keep_alive = True

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def start(
        self,
        status: int,
        headers: list[tuple[str, str]],
        *,
        content_length: int | None,
        chunked: bool,
        keep_alive: bool = True,
        bodyless: bool = False,
    ) -> None:
        """Send the status line and headers; framing headers are added here.

        Neither a length nor chunking means a close-delimited body (ends at FIN).
        """
        self.chunked = chunked
        self.close_delimited = not chunked and content_length is None and not bodyless
        client_wants_close = self.record.header("connection") == "close"
        self.keep_alive = keep_alive and not self.close_delimited and not client_wants_close
        out = _dict_headers(headers)
        if chunked:
            out["transfer-encoding"] = ("Transfer-Encoding", "chunked")
        elif content_length is not None:
            out["content-length"] = ("Content-Length", str(content_length))
        out.setdefault("server", ("Server", "faultserver"))
        if not self.keep_alive:
            out["connection"] = ("Connection", "close")
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        head = [f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")]
        head += [f"{k}: {v}\r\n".encode("latin-1") for k, v in out.values()]
        head.append(b"\r\n")
        await self.write_raw(b"".join(head))

    async def write_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def write(self, data: bytes) -> None:
        """Write body bytes, chunk-framed if the response is chunked."""
        if not data:
            return  # an empty chunk would end a chunked body
        if self.chunked:
            data = b"%x\r\n%s\r\n" % (len(data), data)
        await self.write_raw(data)

    async def pause(self, seconds: float, heartbeat: float | None, payload: bytes) -> None:
        """Wait ``seconds``, writing ``payload`` every ``heartbeat`` seconds meanwhile."""
        if not heartbeat or heartbeat <= 0:
            await self.sleep(seconds)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            left = deadline - loop.time()
            if left < heartbeat:
                await self.sleep(left)
                return
            await asyncio.sleep(heartbeat)
            await self.write(payload)
            self.record.heartbeats_sent += 1

    async def end(self, how: End) -> bool:
        """End the response; True if the connection may serve another request."""
        self.record.outcome = how
        if how == "finish":
            if self.chunked:
                await self.write_raw(b"0\r\n\r\n")
            if self.close_delimited or not self.keep_alive:
                self.writer.close()
                return False
            return True
        if how == "close":
            # close() flushes what is buffered before the FIN, so every event written arrives.
            self.writer.close()
            return False
        if how == "reset":
            await self.flush()
            _reset_transport(self.writer)
            return False
        await self.server._stall(None)
        self.writer.close()
        return False

    async def flush(self, timeout: float = 1.0) -> None:
        """Wait (bounded) until written bytes left asyncio's buffer and the kernel's send queue.

        A RST discards unsent data, so without this "reset after N events" could deliver fewer.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        transport = self.writer.transport
        sock = self.writer.get_extra_info("socket")
        while loop.time() < deadline:
            if transport.get_write_buffer_size() == 0 and _unsent_bytes(sock) == 0:
                return
            await asyncio.sleep(0.001)


def _dict_headers(headers: HeadersLike) -> dict[str, tuple[str, str]]:
    """Headers keyed by lower-cased name (later entries win), original case kept."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {k.lower(): (k, v) for k, v in items}


def _unsent_bytes(sock: Any) -> int:
    """Bytes still in the kernel send queue (Linux SIOCOUTQ); 0 where unsupported."""
    try:
        import fcntl
        import termios

        buf = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
        return int(struct.unpack("i", buf)[0])
    except (ImportError, OSError, AttributeError, ValueError):
        return 0


def _reset_transport(writer: asyncio.StreamWriter) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# --------------------------------------------------------------------------- steps


class Step:
    """One scripted response. Subclasses implement ``serve``."""

    async def serve(self, ex: _Exchange) -> bool:
        """Write the response; True if the connection may be reused."""
        raise NotImplementedError


def _location_headers(content_location: str | None, location: str | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if content_location is not None:
        out.append(("Content-Location", content_location))
    if location is not None:
        out.append(("Location", location))
    return out


def _user_headers(headers: HeadersLike | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


@dataclass(frozen=True)
class Reply(Step):
    """A fixed body, optionally chunked with leading ``\\n`` heartbeats, truncated or broken.

    ``truncate`` sends only that many body bytes. With ``end="finish"`` the framing matches the
    cut body (a *valid* HTTP response with malformed JSON); with ``close``/``reset`` the framing
    announces the full body and the connection drops mid-body.
    """

    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: Sequence[tuple[str, str]] = ()
    delay: float = 0.0
    """Seconds before the status line (a slow server: read timeout before headers)."""
    chunked: bool = False
    heartbeats: int = 0
    heartbeat_interval: float = 0.0
    truncate: int | None = None
    end: End = "finish"
    keep_alive: bool = True

    async def serve(self, ex: _Exchange) -> bool:
        await ex.sleep(self.delay)
        no_body = self.status in (204, 304) or 100 <= self.status < 200
        body = b"" if no_body else self.body
        sent = body if self.truncate is None else body[: self.truncate]
        chunked = (self.chunked or self.heartbeats > 0) and not no_body
        headers: list[tuple[str, str]] = []
        if self.content_type is not None:
            headers.append(("Content-Type", self.content_type))
        headers += self.headers
        length = None if chunked or no_body else len(sent if self.end == "finish" else body)
        await ex.start(
            self.status,
            headers,
            content_length=length,
            chunked=chunked,
            keep_alive=self.keep_alive,
            bodyless=no_body,
        )
        for i in range(self.heartbeats):
            if i:
                await ex.sleep(self.heartbeat_interval)
            await ex.write(b"\n")
            ex.record.heartbeats_sent += 1
        if self.heartbeats:
            await ex.sleep(self.heartbeat_interval)
        await ex.write(sent)
        return await ex.end(self.end)


@dataclass(frozen=True)
class SSEEvent:
    """One Agent Server SSE event; ``data`` is JSON-encoded unless it is ``bytes``."""

    event: str
    data: Any = None
    id: str | None = None

    def encode(self) -> bytes:
        """The Agent Server's wire shape: CRLF lines, one ``data:`` line, optional ``id:``."""
        data = self.data if isinstance(self.data, bytes) else orjson.dumps(self.data)
        out = b"event: " + self.event.encode() + b"\r\ndata: " + data + b"\r\n"
        if self.id is not None:
            out += b"id: " + self.id.encode() + b"\r\n"
        return out + b"\r\n"


@dataclass(frozen=True)
class SSE(Step):
    """An event stream. Items are events, or raw ``bytes`` written verbatim (malformed input).

    ``after`` stops after that many events (raw items are not counted), then ``end`` applies.
    ``interval`` pauses before every event, ``linger`` after the last one; ``heartbeat`` sends
    ``: heartbeat`` comments every that many seconds during those pauses.
    ``chunked=False`` gives a close-delimited body, for which ``end="close"`` looks like a
    normal end to the client.
    """

    events: Sequence[SSEEvent | bytes] = ()
    status: int = 200
    content_type: str = SSE_CONTENT_TYPE
    headers: Sequence[tuple[str, str]] = ()
    delay: float = 0.0
    interval: float = 0.0
    heartbeat: float | None = None
    linger: float = 0.0
    after: int | None = None
    end: End = "finish"
    chunked: bool = True

    async def serve(self, ex: _Exchange) -> bool:
        await ex.sleep(self.delay)
        headers = [
            ("Content-Type", self.content_type),
            ("Cache-Control", "no-store"),
            ("X-Accel-Buffering", "no"),
            *self.headers,
        ]
        await ex.start(self.status, headers, content_length=None, chunked=self.chunked)
        for item in self.events:
            if isinstance(item, bytes):
                await ex.write(item)
                continue
            if self.after is not None and ex.record.events_sent >= self.after:
                break
            await ex.pause(self.interval, self.heartbeat, HEARTBEAT)
            await ex.write(item.encode())
            ex.record.events_sent += 1
        await ex.pause(self.linger, self.heartbeat, HEARTBEAT)
        return await ex.end(self.end)


@dataclass(frozen=True)
class Raw(Step):
    """Bytes written verbatim as the whole response (status line included), then ``end``.

    ``end="finish"`` keeps the connection open for another request.
    """

    data: bytes
    delay: float = 0.0
    end: End = "close"

    async def serve(self, ex: _Exchange) -> bool:
        await ex.sleep(self.delay)
        await ex.write_raw(self.data)
        return await ex.end(self.end)


@dataclass(frozen=True)
class Close(Step):
    """Close the connection without any response: FIN, or RST with ``reset=True``."""

    reset: bool = False
    delay: float = 0.0

    async def serve(self, ex: _Exchange) -> bool:
        await ex.sleep(self.delay)
        return await ex.end("reset" if self.reset else "close")


@dataclass(frozen=True)
class Stall(Step):
    """Send nothing at all (not even headers) until released, then close."""

    limit: float | None = None

    async def serve(self, ex: _Exchange) -> bool:
        ex.record.outcome = "stall"
        await ex.server._stall(self.limit)
        ex.writer.close()
        return False


@dataclass(frozen=True)
class Dynamic(Step):
    """Build the step from the request (runs on the server thread)."""

    fn: Callable[[RequestRecord], Step]

    async def serve(self, ex: _Exchange) -> bool:
        return await self.fn(ex.record).serve(ex)


# --------------------------------------------------------------------------- step factories


def _json_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return orjson.dumps(body)


def _retry_after_value(value: float | str | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return email.utils.format_datetime(value.astimezone(timezone.utc), usegmt=True)
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def json_response(
    status: int = 200,
    body: Any = None,
    *,
    headers: HeadersLike | None = None,
    retry_after: float | str | datetime | None = None,
    content_location: str | None = None,
    location: str | None = None,
    content_type: str = "application/json",
    delay: float = 0.0,
    truncate: int | None = None,
    end: End = "finish",
    keep_alive: bool = True,
) -> Reply:
    """A JSON response. ``body`` bytes/str are sent as-is; ``None`` is ``null`` (empty for 204).

    ``retry_after``: seconds (int/float), a ``datetime`` (sent as an HTTP date) or a raw string.
    """
    extra = _location_headers(content_location, location)
    if retry_after is not None:
        extra.append(("Retry-After", _retry_after_value(retry_after)))
    return Reply(
        status=status,
        body=_json_bytes(body),
        content_type=content_type,
        headers=tuple(extra + _user_headers(headers)),
        delay=delay,
        truncate=truncate,
        end=end,
        keep_alive=keep_alive,
    )


def text_response(
    status: int = 200,
    body: str | bytes = "",
    *,
    content_type: str = "text/plain; charset=utf-8",
    headers: HeadersLike | None = None,
    delay: float = 0.0,
) -> Reply:
    """A non-JSON response (e.g. ``text/plain`` where a stream or JSON is expected)."""
    data = body.encode() if isinstance(body, str) else body
    return Reply(
        status=status,
        body=data,
        content_type=content_type,
        headers=tuple(_user_headers(headers)),
        delay=delay,
    )


def html_response(
    status: int = 502,
    body: str = "<html>Bad Gateway</html>",
    *,
    headers: HeadersLike | None = None,
    retry_after: float | str | datetime | None = None,
) -> Reply:
    """A proxy-style HTML error page."""
    extra = _user_headers(headers)
    if retry_after is not None:
        extra.append(("Retry-After", _retry_after_value(retry_after)))
    return text_response(status, body, content_type="text/html", headers=extra)


def wait_response(
    body: Any,
    *,
    status: int = 200,
    heartbeats: int = 2,
    interval: float = 0.0,
    content_location: str | None = None,
    location: str | None = None,
    truncate: int | None = None,
    end: End = "finish",
) -> Reply:
    """A ``/wait``-style chunked JSON body preceded by ``heartbeats`` bare ``\\n`` chunks."""
    return Reply(
        status=status,
        body=_json_bytes(body),
        content_type="application/json",
        headers=tuple(_location_headers(content_location, location)),
        chunked=True,
        heartbeats=heartbeats,
        heartbeat_interval=interval,
        truncate=truncate,
        end=end,
    )


def redirect(location: str, status: int = 307, *, headers: HeadersLike | None = None) -> Reply:
    """A redirect to ``location`` (absolute URL for another origin)."""
    return Reply(
        status=status,
        headers=(("Location", location), *_user_headers(headers)),
    )


def event(name: str, data: Any = None, id: str | None = None) -> SSEEvent:
    """Shorthand for :class:`SSEEvent`."""
    return SSEEvent(name, data, id)


def sse(
    events: Sequence[SSEEvent | bytes],
    *,
    status: int = 200,
    content_type: str = SSE_CONTENT_TYPE,
    headers: HeadersLike | None = None,
    content_location: str | None = None,
    location: str | None = None,
    delay: float = 0.0,
    interval: float = 0.0,
    heartbeat: float | None = None,
    linger: float = 0.0,
    after: int | None = None,
    end: End = "finish",
    chunked: bool = True,
) -> SSE:
    """An SSE response; see :class:`SSE` for the options."""
    return SSE(
        events=tuple(events),
        status=status,
        content_type=content_type,
        headers=tuple(_location_headers(content_location, location) + _user_headers(headers)),
        delay=delay,
        interval=interval,
        heartbeat=heartbeat,
        linger=linger,
        after=after,
        end=end,
        chunked=chunked,
    )


def raw_response(data: bytes, *, end: End = "close", delay: float = 0.0) -> Raw:
    """Raw bytes as the whole response (malformed status line, broken chunking, ...)."""
    return Raw(data=data, end=end, delay=delay)


def close_connection(*, reset: bool = False, delay: float = 0.0) -> Close:
    """Drop the connection before any response byte (FIN, or RST if ``reset``)."""
    return Close(reset=reset, delay=delay)


def stall(limit: float | None = None) -> Stall:
    """Send no byte at all until the client gives up or the server is reset/stopped."""
    return Stall(limit=limit)


# --------------------------------------------------------------------------- routes


class Route:
    """A queue of steps for one method + path spec."""

    def __init__(
        self, method: str | None, path: PathSpec | None, steps: Sequence[Step], repeat_last: bool
    ):
        self.method = method
        self.path = path
        self.repeat_last = repeat_last
        self._steps: deque[Step] = deque(steps)
        self.hits = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether a request of this method and raw path belongs to this route."""
        return _method_matches(self.method, method) and _path_matches(self.path, path)

    @property
    def remaining(self) -> int:
        """Steps not yet served (the last one counts once even if it repeats)."""
        return len(self._steps)

    def _next(self) -> Step | None:
        if not self._steps:
            return None
        self.hits += 1
        if self.repeat_last and len(self._steps) == 1:
            return self._steps[0]
        return self._steps.popleft()

    def __repr__(self) -> str:
        return f"Route({self.method!r}, {self.path!r}, remaining={self.remaining})"


def replay(
    events: Sequence[SSEEvent], last_event_id: str | None, *, produced: int | None = None
) -> list[SSEEvent]:
    """What the Agent Server sends to a join of a run: THE replay model of the test suite
    (``tests/server/WIRE_NOTES.md``, "Resuming"); every fake join in the tests goes through it.

    ``events`` is the run's whole stream, ``produced`` how many of them the run had emitted when
    the join arrived (default: all of them, a finished run).

    - Without ``Last-Event-ID`` (or an empty one) a join gets live events only: nothing the run
      emitted before the join arrived (after the run finished: an empty body).
    - With one, the server replays the stored events whose id is *string*-greater than it
      (``-1`` sorts before every ``<ms>-<seq>`` id: all of them; ``garbage`` after: none), then
      follows the live events. Events without an id (a run that is not resumable) are never
      stored, so never replayed.
    """
    done = len(events) if produced is None else max(0, min(produced, len(events)))
    live = list(events[done:])
    if not last_event_id:
        return live
    stored = [e for e in events[:done] if e.id is not None and e.id > last_event_id]
    return stored + live


@dataclass
class ResumableRun:
    """A streamed run whose stream breaks and can be rejoined with ``Last-Event-ID``."""

    events: list[SSEEvent]
    thread_id: str
    run_id: str
    create_path: str
    content_location: str
    location: str
    fail_after: list[int]
    fault: End
    interval: float = 0.0
    heartbeat: float | None = None
    produced: int = 0
    """How many of ``events`` the run has emitted so far: a join without ``Last-Event-ID``
    starts here. A stream that breaks leaves it where the break happened (the run goes on,
    but this model's run is only as far as any client saw); one that finishes ends the run."""
    connections: int = 0
    """Streams served so far (creates and joins)."""
    last_event_ids: list[str | None] = field(default_factory=list)
    """The ``Last-Event-ID`` header of each join request, in order."""

    @property
    def join_path(self) -> str:
        """Where the stream is rejoined (the ``Location`` header)."""
        return self.location

    def events_after(self, last_event_id: str | None) -> list[SSEEvent]:
        """What a join carrying ``last_event_id`` gets now: see :func:`replay`."""
        ids = [e.id for e in self.events]
        if last_event_id in ids[self.produced :]:
            # A client can only hold an id the run has sent: the scenario is inconsistent.
            raise AssertionError(f"join after {last_event_id}, not produced yet: pass produced=")
        return replay(self.events, last_event_id, produced=self.produced)

    def _stream(self, events: list[SSEEvent]) -> SSE:
        n = self.connections
        self.connections += 1
        fails = n < len(self.fail_after)
        sent = events[: self.fail_after[n]] if fails else events
        if not fails:
            self.produced = len(self.events)
        elif sent:
            self.produced = max(self.produced, self.events.index(sent[-1]) + 1)
        return sse(
            events,
            content_location=self.content_location,
            location=self.location,
            interval=self.interval,
            heartbeat=self.heartbeat,
            after=self.fail_after[n] if fails else None,
            end=self.fault if fails else "finish",
        )

    def _serve_create(self, record: RequestRecord) -> Step:
        return self._stream(list(self.events))

    def _serve_join(self, record: RequestRecord) -> Step:
        last = record.header("last-event-id")
        self.last_event_ids.append(last)
        return self._stream(self.events_after(last))


# --------------------------------------------------------------------------- server


class FaultServer:
    """The fault-injection server. Start with ``with FaultServer() as fs`` or ``start()``."""

    def __init__(self, *, name: str = "faultserver", stall_limit: float = _DEFAULT_STALL_LIMIT):
        self.name = name
        self.stall_limit = stall_limit
        self.host = "127.0.0.1"
        self.port = 0
        self._lock = threading.Lock()
        self._routes: list[Route] = []
        self._requests: list[RequestRecord] = []
        self._errors: list[str] = []
        self._conn_ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._release: asyncio.Event | None = None
        self._conn_tasks: set[asyncio.Task[None]] = set()
        self._startup_error: BaseException | None = None

    # ---- lifecycle

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:40123``."""
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.url + path

    def start(self) -> FaultServer:
        """Start the server thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("fault server already started")
        ready = threading.Event()
        self._startup_error = None
        thread = threading.Thread(target=self._run, args=(ready,), name=self.name, daemon=True)
        self._thread = thread
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault server did not start in 10 s")
        if self._startup_error is not None:
            thread.join(5)
            self._thread = None
            raise RuntimeError("fault server failed to start") from self._startup_error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server (aborting open connections and stalls) and join its thread."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError(f"fault server thread still alive after {timeout} s")
        self._thread = None
        self._loop = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FaultServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready))
            # Anything still pending (a handler that never started) is cancelled, not leaked.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stopping = asyncio.Event()
        self._release = asyncio.Event()
        try:
            server = await asyncio.start_server(self._handle, self.host, self.port)
        except BaseException as exc:
            self._startup_error = exc
            ready.set()
            return
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            tasks = list(self._conn_tasks)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=_MAX_STOP_WAIT)
            await asyncio.wait([asyncio.ensure_future(server.wait_closed())], timeout=1.0)

    # ---- scenarios

    def route(
        self,
        method: str | None,
        path: PathSpec | None,
        *steps: Step,
        repeat_last: bool = False,
    ) -> Route:
        """Queue ``steps`` for requests matching ``method`` (``"*"``/None = any) and ``path``.

        Each matching request takes the next step; ``repeat_last`` serves the last one forever.
        Routes are tried in the order added; an exhausted route lets later ones answer.
        """
        if not steps:
            raise ValueError("a route needs at least one step")
        route = Route(method, path, steps, repeat_last)
        with self._lock:
            self._routes.append(route)
        return route

    def always(self, method: str | None, path: PathSpec | None, step: Step) -> Route:
        """Serve ``step`` for every matching request."""
        return self.route(method, path, step, repeat_last=True)

    def resumable_run(
        self,
        events: Sequence[SSEEvent],
        *,
        fail_after: int | Sequence[int] = (),
        fault: End = "reset",
        thread_id: str = "T",
        run_id: str = "R",
        stateless: bool = False,
        content_location: str | None = None,
        location: str | None = None,
        interval: float = 0.0,
        heartbeat: float | None = None,
        produced: int = 0,
    ) -> ResumableRun:
        """Serve a run stream that breaks and is rejoined with ``Last-Event-ID``.

        POST ``/threads/{thread_id}/runs/stream`` (``/runs/stream`` if ``stateless``) answers
        with ``Content-Location``/``Location`` like the real server, and GET on the
        ``Location`` path replays the events after ``Last-Event-ID``. ``fail_after[i]`` is how
        many events stream number ``i`` (0 = the POST, then each join) sends before ``fault``;
        later streams finish normally. Events without an id get ``"<n>-0"`` ids.

        Joins answer as :func:`replay` says: ``produced`` is how far the run already is when
        the first join arrives (for a join that is not preceded by the create POST).

        Stateless defaults mirror langgraph-api 0.16.7 (``/runs/R``, ``/runs/R/stream``) even
        though that server has no GET ``/runs/{run_id}/stream`` route; pass ``location`` to
        serve the join elsewhere.
        """
        numbered = [
            e if e.id is not None else SSEEvent(e.event, e.data, f"{1_700_000_000_000 + i}-0")
            for i, e in enumerate(events)
        ]
        base = f"/runs/{run_id}" if stateless else f"/threads/{thread_id}/runs/{run_id}"
        run = ResumableRun(
            events=numbered,
            thread_id=thread_id,
            run_id=run_id,
            create_path="/runs/stream" if stateless else f"/threads/{thread_id}/runs/stream",
            content_location=content_location or base,
            location=location or f"{base}/stream",
            fail_after=[fail_after] if isinstance(fail_after, int) else list(fail_after),
            fault=fault,
            interval=interval,
            heartbeat=heartbeat,
            produced=produced,
        )
        join_path = urllib.parse.urlsplit(run.location).path
        self.always("POST", run.create_path, Dynamic(run._serve_create))
        self.always("GET", join_path, Dynamic(run._serve_join))
        return run

    def reset(self) -> None:
        """Forget routes, the request log and errors; release stalled responses."""
        with self._lock:
            self._routes.clear()
            self._requests.clear()
            self._errors.clear()
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._release_stalls)

    def clear_log(self) -> None:
        """Forget the request log only."""
        with self._lock:
            self._requests.clear()

    def _release_stalls(self) -> None:
        if self._release is not None:
            self._release.set()
        self._release = asyncio.Event()

    async def _stall(self, limit: float | None) -> None:
        release = self._release
        assert release is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(release.wait(), self.stall_limit if limit is None else limit)

    # ---- the request log

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request received since the last reset."""
        with self._lock:
            return list(self._requests)

    @property
    def routes(self) -> list[Route]:
        """A snapshot of the routes."""
        with self._lock:
            return list(self._routes)

    @property
    def errors(self) -> list[str]:
        """Unexpected exceptions inside the server (should stay empty)."""
        with self._lock:
            return list(self._errors)

    @property
    def unmatched(self) -> list[RequestRecord]:
        """Requests answered with 404 "no scenario"."""
        return [r for r in self.requests if r.unmatched]

    def find(self, method: str | None = None, path: PathSpec | None = None) -> list[RequestRecord]:
        """Requests matching ``method``/``path`` (same matching rules as routes)."""
        return [
            r
            for r in self.requests
            if _method_matches(method, r.method) and _path_matches(path, r.path)
        ]

    def count(self, method: str | None = None, path: PathSpec | None = None) -> int:
        """How many requests matched."""
        return len(self.find(method, path))

    def last(self, method: str | None = None, path: PathSpec | None = None) -> RequestRecord:
        """The latest matching request (``LookupError`` if none)."""
        found = self.find(method, path)
        if not found:
            raise LookupError(f"no request matched {method} {path}")
        return found[-1]

    async def wait_for_requests(
        self,
        n: int,
        method: str | None = None,
        path: PathSpec | None = None,
        *,
        timeout: float = 5.0,
    ) -> list[RequestRecord]:
        """Wait (polling, bounded) until at least ``n`` matching requests arrived."""
        await self.wait_until(lambda: self.count(method, path) >= n, timeout=timeout)
        return self.find(method, path)

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Poll ``predicate`` until true; ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.005)

    # ---- connection handling (server thread)

    def _pick(self, record: RequestRecord) -> Step:
        with self._lock:
            self._requests.append(record)
            matched = False
            for route in self._routes:
                if route.matches(record.method, record.path):
                    matched = True
                    step = route._next()
                    if step is not None:
                        return step
        record.unmatched = True
        return json_response(
            404,
            {
                "detail": "no scenario",
                "method": record.method,
                "path": record.path,
                "exhausted": matched,
            },
        )

    async def _read_request(
        self, reader: asyncio.StreamReader, buffered: bytes, conn_id: int
    ) -> tuple[RequestRecord, bytes] | None:
        """Parse one request (None when the client closed or sent garbage)."""
        conn = h11.Connection(h11.SERVER)
        if buffered:  # receive_data(b"") would mean EOF to h11
            conn.receive_data(buffered)
        request: h11.Request | None = None
        body = bytearray()
        while True:
            try:
                ev = conn.next_event()
            except h11.RemoteProtocolError:
                return None
            if ev is h11.NEED_DATA:
                try:
                    data = await reader.read(65536)
                except (ConnectionError, OSError):
                    return None
                conn.receive_data(data)
            elif isinstance(ev, h11.Request):
                request = ev
            elif isinstance(ev, h11.Data):
                body += ev.data
            elif isinstance(ev, h11.EndOfMessage):
                break
            else:  # ConnectionClosed, PAUSED
                return None
        assert request is not None
        target = request.target.decode("latin-1")
        path, _, query = target.partition("?")
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw_items()]
        headers: dict[str, str] = {}
        for k, v in raw:
            key = k.lower()
            headers[key] = f"{headers[key]}, {v}" if key in headers else v
        record = RequestRecord(
            method=request.method.decode("ascii"),
            path=path,
            query=query,
            headers=headers,
            raw_headers=raw,
            body=bytes(body),
            time=time.monotonic(),
            port=self.port,
            connection_id=conn_id,
        )
        return record, conn.trailing_data[0]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conn_tasks.add(task)
        conn_id = next(self._conn_ids)
        buffered = b""
        try:
            while True:
                parsed = await self._read_request(reader, buffered, conn_id)
                if parsed is None:
                    break
                record, buffered = parsed
                keep, extra, client_gone = await self._respond(reader, writer, record)
                record.ended = time.monotonic()
                buffered += extra
                if not keep or client_gone:
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in the server itself: make it visible to tests
            with self._lock:
                self._errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            self._conn_tasks.discard(task)
            stopping = self._stopping is not None and self._stopping.is_set()
            if stopping:
                writer.transport.abort()
            else:
                writer.close()

    async def _respond(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: RequestRecord
    ) -> tuple[bool, bytes, bool]:
        """Serve one step while watching for the client closing the connection.

        Returns (keep-alive, bytes read early that belong to the next request, client gone).
        """
        step = self._pick(record)
        ex = _Exchange(self, writer, record)
        serve = asyncio.ensure_future(step.serve(ex))
        # httpx sends nothing while a response is in flight, so EOF here means the client left
        # (timeout, cancelled stream): stop serving, as a real server would.
        watch = asyncio.ensure_future(reader.read(65536))
        extra = b""
        client_gone = False
        try:
            while not serve.done():
                await asyncio.wait({serve, watch}, return_when=asyncio.FIRST_COMPLETED)
                if serve.done():
                    break
                data = _read_result(watch)
                if not data:
                    client_gone = True
                    record.client_closed = True
                    serve.cancel()
                    await asyncio.wait({serve}, timeout=_MAX_STOP_WAIT)
                    break
                extra += data
                watch = asyncio.ensure_future(reader.read(65536))
        finally:
            if not serve.done():
                serve.cancel()
            eof_after_response = False
            if watch.done():
                # Either the next request's first bytes, or EOF once our response was done
                # (client or our own close): not a disconnect mid-response.
                data = _read_result(watch)
                extra += data
                eof_after_response = not data
            else:
                watch.cancel()
            await asyncio.gather(serve, watch, return_exceptions=True)
        if client_gone and record.outcome == "pending":
            record.outcome = "client closed"
        if serve.cancelled():
            return False, extra, True
        exc = serve.exception()
        if exc is None:
            return bool(serve.result()) and not eof_after_response, extra, client_gone
        if isinstance(exc, (ConnectionError, OSError)):
            record.client_closed = True
            return False, extra, True
        record.outcome = "error"
        with self._lock:
            self._errors.append(f"{type(exc).__name__}: {exc}")
        return False, extra, client_gone


def _read_result(task: asyncio.Future[bytes]) -> bytes:
    """Bytes a finished read produced (b"" for EOF or a connection error)."""
    if task.cancelled():
        return b""
    exc = task.exception()
    if exc is not None:
        return b""
    return task.result()
