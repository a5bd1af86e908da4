"""Hand-written (not generated): the sync counterpart of `langgraph_client/_concurrency.py`."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

__all__ = ["StreamMixin", "is_running"]


class StreamMixin:
    """Nothing to add: a sync stream is not awaitable."""


def is_running(gen: Generator[Any, None, None]) -> bool:
    """True while a thread is inside the generator: it cannot be closed from another thread,
    only the response under it."""
    return bool(getattr(gen, "gi_running", False))
