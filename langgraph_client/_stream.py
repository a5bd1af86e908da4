"""The one stream path: a closeable object that yields `StreamPart`s and resumes broken streams."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Mapping
from types import TracebackType
from typing import Any, Generic, NamedTuple, TypeVar

import httpx

from . import _retry
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    RunFailedError,
    StreamLostError,
    transport_error,
)
from ._http import AsyncHttpClient
from ._json import loads as _loads
from ._paths import parse_run_location
from ._sse import DEFAULT_MAX_EVENT_BYTES, ServerSentEvent, SSEDecodeError, SSEDecoder
from ._v2 import to_v2

__all__ = ["DEFAULT_MAX_RECONNECTS", "RunMetadata", "RunStream", "StreamPart"]

_new = tuple.__new__  # builds a NamedTuple without its Python-level constructor

logger = logging.getLogger("langgraph_client")

DEFAULT_MAX_RECONNECTS = 5

RunMetadata = Mapping[str, Any]
"""`{"run_id": str, "thread_id": str | None}`: what `on_run_created` receives."""

ResumeRequest = Callable[[RunMetadata | None, str | None], httpx.Request | None]
"""Builds the request that reconnects to a run's stream after the given event id, or `None`
when the stream cannot be resumed."""


class StreamPart(NamedTuple):
    """One event of a run's stream."""

    event: str
    """The event name: `metadata`, `values`, `updates`, `messages`, `error`, ... Subgraph events
    are namespaced as `mode|node:task_id`. Names this client does not know pass through."""
    data: Any
    """The event's JSON payload, decoded; `None` for an event without data."""
    id: str | None = None
    """The event id (resumable streams only): the `Last-Event-ID` to resume after this event."""


PartT = TypeVar("PartT")
"""What a stream yields: `StreamPart` (version "v1"), or `StreamPartV2` dicts (version "v2")."""


class RunStream(Generic[PartT]):
    """A run's event stream: `async for part in stream`, and `async with` to close it for sure.

    Leaving the `async with` block, `aclose()`, or cancelling the task that iterates closes the
    HTTP response at once. A plain `async for` that breaks early releases the connection when the
    loop lets go of the stream (at once in CPython: nothing else references its generator).

    Whether closing the connection also stops the run is the server's choice, set per run with
    `on_disconnect` ("cancel" or "continue"); to stop a run for sure, call `runs.cancel`.
    """

    def __init__(
        self,
        http: AsyncHttpClient,
        request: httpx.Request,
        *,
        retry: _retry.RetryMode,
        resume: ResumeRequest | None = None,
        on_run_created: Callable[[Any], Any] | None = None,
        on_reconnect: Callable[[int, str | None], Any] | None = None,
        raise_error: bool = False,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        run: RunMetadata | None = None,
        thread_id: str | None = None,
        last_event_id: str | None = None,
        replays_all: bool = True,
        on_response: Callable[[httpx.Response], Any] | None = None,
        version: str = "v1",
    ) -> None:
        self._core = _StreamCore(
            http,
            request,
            retry=retry,
            resume=resume,
            on_run_created=on_run_created,
            on_reconnect=on_reconnect,
            raise_error=raise_error,
            max_reconnects=max_reconnects,
            run=run,
            thread_id=thread_id,
            last_event_id=last_event_id,
            replays_all=replays_all,
            on_response=on_response,
            v2=version == "v2",
        )
        self._gen: AsyncGenerator[PartT, None] | None = None
        self._closed = False

    @property
    def run_id(self) -> str | None:
        """The run's id, known once the server answered (before the first part)."""
        return self._core.run_id

    @property
    def thread_id(self) -> str | None:
        """The run's thread id; `None` for stateless runs on servers that do not say."""
        return self._core.thread_id

    @property
    def response(self) -> httpx.Response | None:
        """The current HTTP response (headers, status), once connected."""
        return self._core.response

    @property
    def reconnects(self) -> int:
        """How many times the stream was resumed after a break."""
        return self._core.reconnects

    @property
    def last_event_id(self) -> str | None:
        """The id of the last part yielded (where the server sends ids): pass it to
        `join_stream(..., last_event_id=...)` to pick up after it later."""
        part = self._core.yielded
        if part is not None and part.id is not None:
            return part.id
        return self._core.initial_last_id

    def __aiter__(self) -> AsyncIterator[PartT]:
        # The generator itself, so `async for` pays no extra hop per event.
        return self._parts()

    async def __anext__(self) -> PartT:
        return await self._parts().__anext__()

    def _parts(self) -> AsyncGenerator[PartT, None]:
        if self._gen is None:
            self._gen = _nothing() if self._closed else self._core.parts()
        return self._gen

    def __await__(self) -> Generator[Any, None, RunStream[PartT]]:
        """`await stream` is the stream itself: code that awaits a join call, as the official
        SDK's `threads.join_stream` requires, keeps working."""
        return _itself(self).__await__()

    async def aclose(self) -> None:
        """Close the HTTP response. Safe to call twice, before iterating, or from another task
        while one iterates (that iteration then ends)."""
        self._closed = True
        if self._gen is not None and getattr(self._gen, "ag_running", False):
            # Another task is inside the generator: close the response under it instead.
            self._core.closing = True
            if self._core.response is not None:
                await self._core.response.aclose()
        elif self._gen is not None:
            await self._gen.aclose()
        elif self._core.response is not None:
            await self._core.response.aclose()

    async def __aenter__(self) -> RunStream[PartT]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        where = f"{self._core.request.method} {self._core.request.url.path}"
        return f"<RunStream {where} run_id={self.run_id} {state}>"


async def _nothing() -> AsyncGenerator[Any, None]:
    return
    yield  # an async generator that ends at once: the stream was closed before it began


async def _itself(stream: RunStream[PartT]) -> RunStream[PartT]:
    return stream


class _StreamCore:
    """The state and machinery of one stream. `RunStream` wraps it and owns its generator, so
    the generator never references the object users hold: dropping that object frees the
    generator at once (no reference cycle), and its `finally` closes the response."""

    def __init__(
        self,
        http: AsyncHttpClient,
        request: httpx.Request,
        *,
        retry: _retry.RetryMode,
        resume: ResumeRequest | None,
        on_run_created: Callable[[Any], Any] | None,
        on_reconnect: Callable[[int, str | None], Any] | None,
        raise_error: bool,
        max_reconnects: int,
        run: RunMetadata | None,
        thread_id: str | None,
        last_event_id: str | None,
        replays_all: bool,
        on_response: Callable[[httpx.Response], Any] | None = None,
        v2: bool = False,
    ) -> None:
        self._http = http
        self._on_response = on_response
        self._v2 = v2  # yield `to_v2` dicts instead of `StreamPart`s
        self.request = request
        self._retry = retry
        self._resume = resume
        self._on_run_created = on_run_created
        self._on_reconnect = on_reconnect
        self._raise_error = raise_error
        self._max_reconnects = max_reconnects
        self.run = run
        self._thread_hint = thread_id  # the thread a threaded run was created on
        self.response: httpx.Response | None = None
        self._failed: RunFailedError | None = None
        self.yielded: StreamPart | None = None
        self.initial_last_id = last_event_id
        self._last_id = last_event_id
        # Ids are not unique on every server (the in-memory one stamps `<ms>-0`, shared by all
        # events of a millisecond) and a replay starts strictly after the id it is given. So a
        # resume goes from the id before the last one and skips the events already delivered
        # under the last id.
        self._last_id_count = 0  # events delivered carrying `_last_id`
        self._prev_id: str | None = None  # the distinct id delivered before `_last_id`
        self._skip = 0  # replayed events under `_last_id` still to drop after a resume
        self._delivered = 0
        self._replays_all = replays_all  # the server takes `Last-Event-ID: -1` as "from the start"
        self.reconnects = 0  # every resume over the stream's life
        self._attempts = 0  # reconnect attempts since the stream last made progress
        self.closing = False  # set by `RunStream.aclose()` from another task

    @property
    def run_id(self) -> str | None:
        return self.run["run_id"] if self.run else None

    @property
    def thread_id(self) -> str | None:
        return self.run.get("thread_id") if self.run else None

    async def parts(self) -> AsyncGenerator[Any, None]:
        response = await self._http.send(self.request, retry=self._retry)
        v2 = self._v2
        while True:
            self.response = response
            try:
                self._opened(response)
                decoder = SSEDecoder(DEFAULT_MAX_EVENT_BYTES)
                async for chunk in response.aiter_bytes():
                    for part in self._convert(decoder.feed(chunk)):
                        self.yielded = part
                        if not v2:
                            yield part
                        elif (converted := to_v2(part.event, part.data)) is not None:
                            yield converted
                    if self._failed is not None:
                        raise self._failed
                for part in self._convert(decoder.flush()):
                    self.yielded = part
                    if not v2:
                        yield part
                    elif (converted := to_v2(part.event, part.data)) is not None:
                        yield converted
                if self._failed is not None:
                    raise self._failed
                return
            except httpx.TransportError as exc:
                if self.closing:
                    return  # closed by `aclose()` from another task: the end, not a failure
                failure: httpx.TransportError = exc
            except (SSEDecodeError, httpx.DecodingError) as exc:
                raise APIResponseValidationError(
                    f"malformed event stream: {exc}", request=response.request, response=response
                ) from None
            finally:
                await response.aclose()
            response = await self._reconnect(failure)

    def _convert(self, events: list[ServerSentEvent]) -> list[StreamPart]:
        """Decode the JSON of one chunk's events into parts. A per-chunk list, not a generator:
        this runs for every event, and a generator hop per event costs as much as the decoding.

        An `error` event that must raise stops the list; `_failed` holds the exception, raised
        after the parts before it have been delivered.
        """
        parts: list[StreamPart] = []
        add, loads, new, part = parts.append, _loads, _new, StreamPart  # locals: this loop is hot
        for name, raw, event_id, _retry_ms in events:
            if event_id is not None and not self._track_id(event_id):
                continue  # a replay of an event delivered before the resume
            try:
                data = loads(raw) if raw else None
            except ValueError:
                raise self._not_json(name, raw) from None
            if (name == "metadata" or name == "error") and self._special(name, data):
                break
            add(new(part, (name, data, event_id)))
        if parts:
            self._delivered += len(parts)
            self._attempts = 0  # progress: the next break gets a fresh reconnect budget
        return parts

    def _special(self, name: str, data: Any) -> bool:
        """Learn the run id from `metadata`; True if an `error` event must raise instead."""
        if name == "metadata":
            if self.run is None and isinstance(data, dict):
                self._found_run({"run_id": data.get("run_id"), "thread_id": self._thread_hint})
            return False
        if not self._raise_error:
            return False
        info = data if isinstance(data, dict) else {"message": data}
        self._failed = RunFailedError(
            error=info.get("error"),
            message=info.get("message"),
            run_id=self.run_id,
            thread_id=self.thread_id,
        )
        return True

    def _not_json(self, name: str, raw: bytes | None) -> APIResponseValidationError:
        response = self.response
        return APIResponseValidationError(
            f"event {name!r} carries data that is not JSON: {(raw or b'')[:200]!r}",
            request=response.request if response is not None else None,
            response=response,
        )

    def _track_id(self, event_id: str) -> bool:
        """Record a delivered id; False for a replayed event that was delivered already."""
        if event_id == self._last_id:
            if self._skip:
                self._skip -= 1
                return False
            self._last_id_count += 1
        else:
            self._skip = 0
            self._prev_id, self._last_id, self._last_id_count = self._last_id, event_id, 1
        return True

    def _opened(self, response: httpx.Response) -> None:
        if self._on_response is not None:
            self._on_response(response)
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

    def _found_run(self, run: RunMetadata) -> None:
        self.run = run
        if self._on_run_created is not None:
            self._on_run_created(run)

    async def _reconnect(self, failure: httpx.TransportError) -> httpx.Response:
        """Reopen the run's stream after the last event delivered, with bounded attempts."""
        request = None
        # Without an id to resume after, a replay would repeat what was already delivered.
        if self._resume is not None and (self._last_id is not None or not self._delivered):
            after: str | None = self._last_id
            if self._last_id_count and (self._prev_id or self._replays_all):
                after = self._prev_id or "-1"
                self._skip = self._last_id_count
            request = self._resume(self.run, after)
        if request is None:
            raise transport_error(failure, self.request) from failure
        # The budget is per break: attempts since the last event, so that a long run behind a
        # proxy that cuts every connection after a while survives any number of such cuts.
        while True:
            if self._attempts >= self._max_reconnects:
                raise StreamLostError(
                    f"stream lost after {self._attempts} reconnect attempts without a new event "
                    f"(last event id {self._last_id}): {failure!r}",
                    request=request,
                    last_event_id=self._last_id,
                    attempts=self._attempts,
                ) from failure
            delay = _retry.backoff(self._attempts)
            self._attempts += 1
            self.reconnects += 1
            logger.debug(
                "stream broke (%r); resuming after event %s in %.2fs (attempt %d of %d)",
                failure,
                self._last_id,
                delay,
                self._attempts,
                self._max_reconnects,
            )
            if self._on_reconnect is not None:
                self._on_reconnect(self._attempts, self._last_id)
            await _retry.sleep(delay)
            try:
                return await self._http.send(request, retry="safe", max_retries=0)
            except APIConnectionError as exc:
                cause = exc.__cause__
                if isinstance(cause, httpx.TransportError):
                    failure = cause
            except APIStatusError as exc:
                # A proxy's 502/503 while the server restarts is worth another attempt; a 404
                # or 422 is an answer.
                if exc.status_code not in _retry.RETRY_STATUSES:
                    raise
