"""Hand-written (not generated): the sync counterpart of `langgraph_client/_concurrency.py`."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import httpx

from .. import _retry

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

_T = TypeVar("_T")


class StreamMixin:
    """Nothing to add: a sync stream is not awaitable."""


class AwaitsGet:
    """Nothing to add: sync projections are read with `get()`, not awaited."""

    def get(self) -> Any:
        raise NotImplementedError


def is_running(gen: Generator[Any, None, None]) -> bool:
    """True while a thread is inside the generator: it cannot be closed from another thread,
    only the response under it."""
    return bool(getattr(gen, "gi_running", False))


def close_under(response: httpx.Response) -> None:
    """Close a response that another thread is reading. A read blocked in the kernel does not
    notice its socket being closed, only shut down: shut it down first, so the read ends at once
    instead of at the next heartbeat."""
    network_stream = response.extensions.get("network_stream")
    sock = network_stream.get_extra_info("socket") if network_stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    response.close()


class StreamClosed(Exception):
    """Inside a stream's generator: `close()` from another thread stopped it between events."""


class Interrupter:
    """Lets `close()` from another thread stop a stream that is not reading. A blocking connect
    cannot be interrupted: its result is checked (and closed) when it returns; a wait before a
    reconnect ends at once."""

    def __init__(self) -> None:
        self.closed = False
        self._event = threading.Event()

    def run(self, value: _T) -> _T:
        """`value` (the call has already run), unless the stream was closed meanwhile: then
        `StreamClosed`, and a response it produced is closed."""
        if self.closed:
            if isinstance(value, httpx.Response):
                value.close()
            raise StreamClosed
        return value

    def sleep(self, seconds: float) -> None:
        """`_retry.sync_sleep`, ended early (with `StreamClosed`) by a close."""
        if not self.closed:
            _retry.sync_sleep(seconds, self._event)
        if self.closed:
            raise StreamClosed

    def close(self) -> None:
        self.closed = True
        self._event.set()


def call_hook(hook: Callable[[httpx.Request], Any], request: httpx.Request) -> None:
    """Run an `on_request` hook. A coroutine function cannot run here: a clear error, before
    anything is sent, instead of a hook that silently never ran."""
    result = hook(request)
    if result is not None and hasattr(result, "__await__"):
        close = getattr(result, "close", None)
        if close is not None:
            close()  # no "never awaited" warning on top of the error
        raise TypeError("on_request returned an awaitable: the sync client needs a plain function")


def inprocess_transport(url: str | None) -> tuple[str | None, httpx.BaseTransport | None]:
    """The official SDK's sync client has no in-process mode: `url=None` is the default URL."""
    return url, None
