"""When a failed request may be sent again, and how long to wait before it."""

from __future__ import annotations

import random
import time
from typing import Literal

import httpx

__all__ = [
    "RetryMode",
    "backoff",
    "can_retry_error",
    "can_retry_status",
    "retry_after",
    "sleep",
    "sync_sleep",
]

RetryMode = Literal["safe", "connect"]
"""`safe`: repeating the request cannot do anything twice (reads, idempotent writes).
`connect`: it might (a run-creating POST), so only retry where the request never left."""

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


def can_retry_status(status: int, mode: RetryMode) -> bool:
    """408/429/502/503/504 on safe requests only. Never 409: on this server it means busy."""
    return mode == "safe" and status in RETRY_STATUSES


def can_retry_error(exc: httpx.TransportError, mode: RetryMode) -> bool:
    """Any transport failure of a safe request; for a run-creating one, only failures that
    happen before a connection exists, so the server cannot have seen the body."""
    if mode == "safe":
        return True
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def backoff(attempt: int) -> float:
    """Exponential from INITIAL_DELAY to MAX_DELAY, with up to 25% jitter taken off."""
    delay = min(INITIAL_DELAY * (2.0 ** min(attempt, 32)), MAX_DELAY)  # no float overflow
    return delay * (1.0 - 0.25 * random.random())


def retry_after(headers: httpx.Headers) -> float | None:
    """The server's requested delay (`retry-after-ms`, or `Retry-After` seconds or HTTP date),
    capped at MAX_RETRY_AFTER; `None` if absent or unreadable."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return _cap(float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return _cap(float(value))
    except ValueError:
        pass
    import email.utils  # only for the rare HTTP-date form; keeps `import langgraph_client` light

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _cap(when.timestamp() - time.time())


def _cap(seconds: float) -> float | None:
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


async def sleep(seconds: float) -> None:
    """Every wait before a retry or a reconnect goes through here (tests patch it)."""
    # Imported here, not at the top: `import langgraph_client` should cost no more than
    # `import httpx`, and an async program has asyncio loaded anyway by the time this runs.
    import asyncio

    await asyncio.sleep(seconds)


def sync_sleep(seconds: float) -> None:
    """Every wait of the sync client before a retry or a reconnect goes through here."""
    time.sleep(seconds)
