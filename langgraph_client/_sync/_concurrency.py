"""Hand-written (not generated): the sync counterpart of `langgraph_client/_concurrency.py`."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Generator
from typing import Any

import httpx

__all__ = ["AwaitsGet", "StreamMixin", "close_under", "is_running"]


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
