"""What the async stream has that no token table can write: `await stream`, and telling whether
another task is inside the stream's generator. The sync client's counterpart is the
hand-written `_sync/_concurrency.py`; `scripts/unasync.py` points the generated code there."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any, TypeVar

import httpx

__all__ = ["AwaitsGet", "StreamMixin", "close_under", "is_running"]

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
