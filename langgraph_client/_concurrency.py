"""What the async stream has that no token table can write: `await stream`, telling whether
another task is inside the stream's generator, and stopping that task while it connects or
waits. The sync client's counterpart is the hand-written `_sync/_concurrency.py`;
`scripts/unasync.py` points the generated code there."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from . import _retry

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "AwaitsGet",
    "Interrupter",
    "StreamClosed",
    "StreamMixin",
    "call_hook",
    "close_under",
    "inprocess_transport",
    "is_running",
]

_S = TypeVar("_S")
_T = TypeVar("_T")


class StreamMixin:
    """`await stream` is the stream itself: code that awaits a join call, as the official SDK's
    `threads.join_stream` requires, keeps working (`await` is optional here)."""

    def __await__(self: _S) -> Generator[Any, None, _S]:
        return _itself(self).__await__()


class AwaitsGet:
    """`await x` is `await x.get()` (thread-stream projections and messages); the sync twin
    has only `x.get()`."""

    def __await__(self) -> Generator[Any, None, Any]:
        return self.get().__await__()

    async def get(self) -> Any:
        raise NotImplementedError


async def _itself(stream: _S) -> _S:
    return stream


def is_running(gen: AsyncGenerator[Any, None]) -> bool:
    """True while a task is inside the generator: it cannot be closed from another task, only
    the response under it."""
    return bool(getattr(gen, "ag_running", False))


async def close_under(response: httpx.Response) -> None:
    """Close a response that another task is reading: that read then ends."""
    await response.aclose()


class StreamClosed(Exception):
    """Inside a stream's generator: `aclose()` from another task stopped it between events."""


class Interrupter:
    """Lets `aclose()` from another task stop a stream that is not reading: one that is still
    connecting, or waiting before a reconnect. (Closing the response stops one that reads.)

    The work runs in the iterating task itself (a transport may tie a response to the task that
    opened it); a close from another task cancels that task's wait, and the cancellation becomes
    `StreamClosed` here, never the caller's `CancelledError`."""

    def __init__(self) -> None:
        self.closed = False
        self._waiter: asyncio.Task[Any] | None = None
        self._cancelled = False

    async def run(self, awaitable: Awaitable[_T]) -> _T:
        """`await awaitable`, unless the stream is closed first: then `StreamClosed`, and a
        response it produced meanwhile is closed."""
        import asyncio

        if self.closed:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()  # never started: no "never awaited" warning
            raise StreamClosed
        task = asyncio.current_task()
        self._waiter = task
        try:
            result = await awaitable
        except asyncio.CancelledError:
            if not self._cancelled:
                raise  # the caller's own cancellation
            self._cancelled = False
            uncancel = getattr(task, "uncancel", None)  # Python >= 3.11
            if uncancel is not None:
                uncancel()
            raise StreamClosed from None
        finally:
            self._waiter = None
        if self.closed:
            if isinstance(result, httpx.Response):
                await result.aclose()
            raise StreamClosed
        return result

    async def sleep(self, seconds: float) -> None:
        """`_retry.sleep`, ended early (with `StreamClosed`) by a close."""
        await self.run(_retry.sleep(seconds))

    def close(self) -> None:
        import asyncio

        self.closed = True
        waiter = self._waiter
        # Only the single await inside `run` is between setting and clearing `_waiter`: a
        # cancel now lands there.
        if waiter is not None and not waiter.done() and waiter is not asyncio.current_task():
            self._cancelled = True
            waiter.cancel()


async def call_hook(hook: Callable[[httpx.Request], Any], request: httpx.Request) -> None:
    """Run an `on_request` hook; a coroutine function's result is awaited."""
    result = hook(request)
    if result is not None and hasattr(result, "__await__"):
        await result


def inprocess_transport(url: str | None) -> tuple[str | None, httpx.AsyncBaseTransport | None]:
    """Inside an Agent Server, `url=None` means that server, called in-process (as the official
    SDK's async client does): the URL and transport to use. Elsewhere `url` and no transport."""
    if url is not None:
        return url, None
    from . import _inprocess  # only here: it needs asyncio, which plain imports do not load

    if not _inprocess.inside_server():
        return None, None
    return _inprocess.BASE_URL, _inprocess.InProcessTransport()
