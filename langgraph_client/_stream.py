"""The one stream path: a closeable object that yields `StreamPart`s, over a thin I/O shell that
connects, decodes and reconnects. Every decision is made by pure objects the shell is given: a
`StreamEvents` (`_run_events.RunEvents` for runs: ids, resume point, the run, failures) and a
`ReconnectState` (the `ReconnectPolicy`'s budget unless one is passed). Another kind of stream
(another resume request, another dedupe, another policy) plugs in its own objects; the I/O stays
here."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from . import _retry, _sse
from ._concurrency import Interrupter, StreamClosed, StreamMixin, close_under, is_running
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ReconnectExhaustedError,
    transport_error,
)
from ._http import AsyncHttpClient
from ._resume import DEFAULT_MAX_RECONNECTS, ReconnectPolicy, ReconnectState
from ._run_events import OnReconnect, RunEvents, RunMetadata, StreamEvents, StreamPart
from ._sse import SSEDecodeError
from ._v2 import to_v2

__all__ = [
    "DEFAULT_MAX_RECONNECTS",
    "OnReconnect",
    "RunEvents",
    "RunMetadata",
    "RunStream",
    "StreamPart",
]

logger = logging.getLogger("langgraph_client")


PartT = TypeVar("PartT")
"""What a stream yields: `StreamPart`s (version "v1"), or `StreamPartV2` dicts (version "v2")."""


class RunStream(StreamMixin, Generic[PartT]):
    """A run's event stream: iterate it for `StreamPart`s; use it as a context manager to
    close it for sure.

    Leaving the `with` block, `aclose()`, or stopping the iteration early closes the HTTP
    response at once (a `break` releases it when the loop lets go of the stream: at once in
    CPython, nothing else references its generator).

    Whether closing the connection also stops the run is the server's choice, set per run with
    `on_disconnect` ("cancel" or "continue"); to stop a run for sure, call `runs.cancel`.
    """

    def __init__(
        self,
        http: AsyncHttpClient,
        request: httpx.Request,
        events: StreamEvents,
        *,
        on_reconnect: OnReconnect | None = None,
        reconnect: ReconnectPolicy | None = None,
        budget: ReconnectState | None = None,
        on_response: Callable[[httpx.Response], Any] | None = None,
        version: str = "v1",
    ) -> None:
        budget = budget or (reconnect or http.reconnect).start()
        self._core = _StreamCore(
            http, request, events, budget, on_reconnect, on_response, version == "v2"
        )
        self._gen: AsyncGenerator[PartT, None] | None = None
        self._closed = False

    @property
    def run_id(self) -> str | None:
        """The run's id, known once the server answered (before the first part)."""
        run = self._core.events.run
        return run["run_id"] if run else None

    @property
    def thread_id(self) -> str | None:
        """The run's thread id; `None` for stateless runs on servers that do not say."""
        run = self._core.events.run
        return run.get("thread_id") if run else None

    @property
    def response(self) -> httpx.Response | None:
        """The current HTTP response (headers, status), once connected."""
        return self._core.response

    @property
    def reconnects(self) -> int:
        """How many times the stream was resumed after a break."""
        return self._core.budget.reconnects

    @property
    def attempt(self) -> int | None:
        """The run's attempt as of the last part yielded, from its `metadata` events: 1 for the
        first run, 2 after a worker died and another restarted the run from its last checkpoint
        (what follows repeats that step, under new ids). `None` until a `metadata` event."""
        return self._core.attempt

    @property
    def last_event_id(self) -> str | None:
        """The id of the last part yielded (where the server sends ids): pass it to
        `join_stream(..., last_event_id=...)` to pick up after it later."""
        part = self._core.yielded
        if part is not None and part.id is not None:
            return part.id
        return self._core.initial_last_id

    def __aiter__(self) -> AsyncIterator[PartT]:
        # The generator itself, so the loop pays no extra hop per event.
        return self._parts()

    async def __anext__(self) -> PartT:
        return await self._parts().__anext__()

    def _parts(self) -> AsyncGenerator[PartT, None]:
        if self._gen is None:
            self._gen = _nothing() if self._closed else self._core.parts()
        return self._gen

    async def aclose(self) -> None:
        """Close the HTTP response. Safe to call twice, before iterating, or from another task
        while one iterates (that iteration then ends)."""
        self._closed = True
        gen = self._gen
        if gen is not None and is_running(gen):
            # Iterated from another task: close the response under it, and stop it if it is
            # connecting or waiting to reconnect.
            self._core.closing = True
            self._core.interrupter.close()
            if self._core.response is not None:
                await close_under(self._core.response)
        elif gen is not None:
            await gen.aclose()
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
        return f"<{type(self).__name__} {where} run_id={self.run_id} {state}>"


async def _nothing() -> AsyncGenerator[Any, None]:
    return
    yield  # a generator that ends at once: the stream was closed before it began


class _StreamCore:
    """The I/O of one stream: connect, decode, hand events to `events`, reconnect after a break.
    `RunStream` wraps it and owns its generator, so the generator never references the object
    users hold: dropping that object frees the generator at once (no reference cycle), and its
    `finally` closes the response."""

    def __init__(
        self,
        http: AsyncHttpClient,
        request: httpx.Request,
        events: StreamEvents,
        budget: ReconnectState,
        on_reconnect: OnReconnect | None,
        on_response: Callable[[httpx.Response], Any] | None = None,
        v2: bool = False,
    ) -> None:
        self._http = http
        self._on_response = on_response
        self._v2 = v2  # yield `to_v2` dicts instead of `StreamPart`s
        self.request = request
        self.events = events
        self.budget = budget
        self._on_reconnect = on_reconnect
        self.initial_last_id = events.last_event_id
        self.response: httpx.Response | None = None
        self.yielded: StreamPart | None = None
        self.attempt: int | None = None
        self.closing = False  # set by `RunStream.aclose()` from another task
        self.interrupter = Interrupter()

    async def parts(self) -> AsyncGenerator[Any, None]:
        try:
            response = await self.interrupter.run(self._http.send(self.request))
        except StreamClosed:
            return  # closed by `aclose()` from another task before it connected
        events, budget, v2 = self.events, self.budget, self._v2
        while True:
            self.response = response
            try:
                if self._on_response is not None:
                    self._on_response(response)
                events.opened(response)
                decoder = events.decoder(_sse.DEFAULT_MAX_EVENT_BYTES)  # read here: tests lower it
                async for chunk in response.aiter_bytes():
                    parts = decoder.feed(chunk)
                    if parts:
                        events.delivered(len(parts))
                        budget.progress()
                        for part in parts:
                            if part[0] == "metadata":
                                self._saw_metadata(part)
                            self.yielded = part
                            if not v2:
                                yield part
                            elif (shaped := to_v2(part.event, part.data)) is not None:
                                yield shaped  # version "v2": the one conversion step
                    if events.failure is not None:
                        raise events.failure
                parts = decoder.flush()
                events.delivered(len(parts))
                for part in parts:
                    if part[0] == "metadata":
                        self._saw_metadata(part)
                    self.yielded = part
                    if not v2:
                        yield part
                    elif (shaped := to_v2(part.event, part.data)) is not None:
                        yield shaped
                if events.failure is not None:
                    raise events.failure
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
            try:
                response = await self._reconnect(failure)
            except StreamClosed:
                return  # closed by `aclose()` from another task while reconnecting

    def _saw_metadata(self, part: StreamPart) -> None:
        data = part[1]
        if isinstance(data, dict) and isinstance(data.get("attempt"), int):
            self.attempt = data["attempt"]

    async def _reconnect(self, failure: httpx.TransportError) -> httpx.Response:
        """Reopen the stream where `events` says, within the reconnect budget."""
        if self.closing:
            raise StreamClosed
        request = self.events.resume_request()
        if request is None:
            raise transport_error(failure, self.request) from failure
        budget = self.budget
        while True:
            last_id = self.events.last_event_id
            delay = budget.next_delay()
            if delay is None:
                run = self.events.run or {}
                logger.info("failed: stream lost after %d reconnects", budget.attempts)
                raise ReconnectExhaustedError(
                    f"stream lost: {budget.attempts} reconnect attempts in {budget.waited:.1f}s "
                    f"without a new event (run {run.get('run_id')}, last event id {last_id}): "
                    f"{failure!r}",
                    request=request,
                    run_id=run.get("run_id"),
                    thread_id=run.get("thread_id"),
                    last_event_id=last_id,
                    attempts=budget.attempts,
                    waited=budget.waited,
                ) from failure
            logger.debug(
                "stream broke (%r); resuming after event %s in %.2fs (attempt %d, %.1fs so far)",
                failure,
                last_id,
                delay,
                budget.attempts,
                budget.waited,
            )
            if self._on_reconnect is not None:
                self._on_reconnect(budget.attempts, last_id)
            await self.interrupter.sleep(delay)
            try:
                return await self.interrupter.run(self._http.send(request, max_retries=0))
            except APIConnectionError as exc:
                cause = exc.__cause__
                if isinstance(cause, httpx.TransportError):
                    failure = cause
            except APIStatusError as exc:
                # A proxy's 502/503 while the server restarts is worth another attempt; a 404
                # or 422 is an answer.
                if exc.status_code not in _retry.RETRY_STATUSES:
                    raise
