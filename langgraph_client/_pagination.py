"""Auto-pagination: every result of an offset/limit search, fetched one page at a time."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "FetchPage", "Paginator"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
# The server rejects a search `limit` above 1000 with a 422.
MAX_PAGE_SIZE = 1000

FetchPage = Callable[[int, int], Awaitable[Sequence[T]]]
"""`fetch(limit, offset)`: one page of results."""


class Paginator(Generic[T]):
    """An iterator over every result of a search, `page_size` per request.

    Pages are requested with increasing offsets until one comes back shorter than asked for
    (an empty page included), or `max_items` results have been yielded. Pagination headers are
    not needed. No connection is held between pages, so breaking out early needs no cleanup.

        async for thread in client.threads.search_all(status="idle"):
            print(thread["thread_id"])

    Offsets shift if the collection changes while you page: sort on a field that new items do
    not disturb (e.g. `sort_by="created_at", sort_order="asc"`) to avoid repeats and gaps.
    """

    def __init__(
        self,
        fetch: FetchPage[T],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must be >= 0 or None, got {max_items}")
        self._fetch = fetch
        self._page_size = page_size
        self._left = max_items
        self._offset = 0
        self._buffer: deque[T] = deque()
        self._done = max_items == 0
        self.pages: int = 0
        """How many pages have been requested so far."""

    def __aiter__(self) -> Paginator[T]:
        return self

    async def __anext__(self) -> T:
        while not self._buffer:
            if self._done:
                raise StopAsyncIteration
            await self._next_page()
        return self._buffer.popleft()

    async def _next_page(self) -> None:
        limit = self._page_size if self._left is None else min(self._page_size, self._left)
        # A server that ignores `limit` must not push us past `max_items` or skip results.
        page = list(await self._fetch(limit, self._offset))[:limit]
        self.pages += 1
        self._offset += len(page)
        if self._left is not None:
            self._left -= len(page)
        if len(page) < limit or self._left == 0:
            self._done = True
        self._buffer.extend(page)

    def __repr__(self) -> str:
        state = "done" if self._done else f"next offset {self._offset}"
        return f"<Paginator page_size={self._page_size} pages={self.pages} {state}>"
