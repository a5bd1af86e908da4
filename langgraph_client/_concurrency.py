"""What the async client has that no token table can write: `await stream`, telling whether
another task is inside the stream's generator, awaiting a hook that may be a coroutine function,
and the in-process transport (async only, as in the official SDK). The sync client's
counterpart is the hand-written `_sync/_concurrency.py`; `scripts/unasync.py` points the
generated code there."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, TypeVar

import httpx

__all__ = [
    "AwaitsGet",
    "StreamMixin",
    "call_hook",
    "close_under",
    "inprocess_transport",
    "is_running",
]

_S = TypeVar("_S")


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
