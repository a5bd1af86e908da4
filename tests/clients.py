"""One async test, both clients: the sync client seen through an async view.

Tests marked `both_clients` run twice, with `flavour` "async" and "sync". For "sync" the
fixtures build the generated sync client and wrap it in `AsyncView`, which mirrors the async
API: a method that is a coroutine function on the async twin runs the sync method in a worker
thread (real blocking I/O on `httpx.Client`, off the event loop) and is awaited; the others
(`runs.stream`, `search_all`, `with_options`) are called directly. Streams and paginators are
wrapped so that `async for`, `async with` and `aclose()` drive the sync object's `for`, `with`
and `close()`. So the test text is the same, and the sync code path is the one under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from langgraph_client._sync._pagination import SyncPaginator
from langgraph_client._sync._stream import SyncRunStream

FLAVOURS = ("async", "sync")


def parametrize_flavour(metafunc: pytest.Metafunc) -> None:
    """Parametrize `flavour` over both clients for `both_clients` tests, else "async" only."""
    if "flavour" not in metafunc.fixturenames:
        return
    definition = metafunc.definition
    both = definition.get_closest_marker("both_clients") is not None
    if definition.get_closest_marker("async_only") is not None:
        both = False  # what only asyncio has (task cancellation), in a module run on both
    metafunc.parametrize("flavour", FLAVOURS if both else ("async",), indirect=True)


def async_twin(cls: type) -> type:
    """The async class a generated sync class was made from."""
    module = importlib.import_module(cls.__module__.replace("._sync.", "."))
    name = cls.__name__.removeprefix("Sync")
    twin: type = getattr(module, name, None) or getattr(module, "Async" + name)  # SyncHttpClient
    return twin


def wrap(value: Any) -> Any:
    if isinstance(value, SyncRunStream):
        return StreamView(value)
    if isinstance(value, SyncPaginator):
        return PaginatorView(value)
    if type(value).__module__.startswith("langgraph_client._sync."):
        return AsyncView(value)
    return value


class AsyncView:
    """A sync client (or sub-client) with the async client's call shapes."""

    def __init__(self, target: Any) -> None:
        self._target = target
        self._spec = async_twin(type(target))

    @property
    def sync(self) -> Any:
        """The sync object itself."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        declared = inspect.getattr_static(self._spec, name, None)
        if not callable(value) or isinstance(declared, property):
            return wrap(value)
        if inspect.iscoroutinefunction(declared):

            async def in_thread(*args: Any, **kwargs: Any) -> Any:
                return wrap(await asyncio.to_thread(value, *args, **kwargs))

            return in_thread

        def direct(*args: Any, **kwargs: Any) -> Any:
            return wrap(value(*args, **kwargs))

        return direct

    async def aclose(self) -> None:
        await asyncio.to_thread(self._target.close)

    async def __aenter__(self) -> AsyncView:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return repr(self._target)


_END = object()


def _next(iterator: Iterator[Any]) -> Any:
    # StopIteration cannot cross a thread's future: say "the end" with a sentinel.
    try:
        return next(iterator)
    except StopIteration:
        return _END


class StreamView:
    """A `SyncRunStream` driven from async code, one `next()` per worker-thread hop."""

    def __init__(self, stream: SyncRunStream) -> None:
        self.sync = stream
        self._iterator: Iterator[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sync, name)  # run_id, thread_id, last_event_id, response, ...

    def __aiter__(self) -> StreamView:
        return self

    async def __anext__(self) -> Any:
        if self._iterator is None:
            self._iterator = iter(self.sync)
        part = await asyncio.to_thread(_next, self._iterator)
        if part is _END:
            raise StopAsyncIteration
        return part

    async def aclose(self) -> None:
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> StreamView:
        await asyncio.to_thread(self.sync.__enter__)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await asyncio.to_thread(self.sync.__exit__, *exc_info)

    def __await__(self) -> Any:
        return _itself(self).__await__()

    def __repr__(self) -> str:
        return repr(self.sync)


async def _itself(value: Any) -> Any:
    return value


class PaginatorView:
    """A `SyncPaginator` driven from async code."""

    def __init__(self, paginator: SyncPaginator[Any]) -> None:
        self.sync = paginator

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sync, name)

    def __aiter__(self) -> PaginatorView:
        return self

    async def __anext__(self) -> Any:
        item = await asyncio.to_thread(_next, self.sync)
        if item is _END:
            raise StopAsyncIteration
        return item

    def __repr__(self) -> str:
        return repr(self.sync)


def for_flavour(flavour: str, make_async: Callable[..., Any], make_sync: Callable[..., Any]) -> Any:
    """`make_async()` or `AsyncView(make_sync())`."""
    return make_async() if flavour == "async" else AsyncView(make_sync())


@contextlib.asynccontextmanager
async def open_client(flavour: str, **kwargs: Any) -> AsyncIterator[Any]:
    """`get_client(**kwargs)`, or for "sync" `get_sync_client(**kwargs)` behind `AsyncView`;
    closed on exit."""
    from langgraph_client import get_client, get_sync_client

    client = get_client(**kwargs) if flavour == "async" else AsyncView(get_sync_client(**kwargs))
    async with client:
        yield client
