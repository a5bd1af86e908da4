"""Client configuration shared by the async and sync clients: defaults, `NOT_GIVEN`, the API key."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Final

import httpx

__all__ = [
    "API_KEY_ENV_VARS",
    "DEFAULT_LIMITS",
    "DEFAULT_STREAM_IDLE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_URL",
    "NOT_GIVEN",
    "NotGiven",
    "OnRequest",
    "TimeoutTypes",
    "as_timeout",
    "resolve_api_key",
]


class NotGiven:
    """The type of `NOT_GIVEN`: "use the client's default", as opposed to an explicit `None`."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

TimeoutTypes = (
    float | httpx.Timeout | tuple[float | None, float | None, float | None, float | None] | None
)
"""Seconds for every phase, an `httpx.Timeout` or a `(connect, read, write, pool)` tuple with
separate budgets, or `None`: no limit for one call, the defaults for `get_client`."""

OnRequest = Callable[[httpx.Request], Any]
"""Called with every request just before it is sent (each retry, resume and rejoin too); it
may change the request's headers. The async client awaits what a coroutine function returns."""

DEFAULT_URL = "http://localhost:8123"
API_KEY_ENV_VARS = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
# Agent runs take minutes: connecting is quick or broken, but a read may wait on a long step.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=300.0, write=300.0, pool=60.0)
# The server sends a heartbeat every 5 s on streams: a minute of silence is a dead connection.
DEFAULT_STREAM_IDLE_TIMEOUT = 60.0
# Long runs hold a connection each: httpx's default of 100 would queue the 101st concurrent run.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


def resolve_api_key(api_key: str | NotGiven | None) -> str | None:
    """An explicit string wins; explicit `None` reads no environment; otherwise the first
    non-empty of LANGGRAPH_API_KEY, LANGSMITH_API_KEY, LANGCHAIN_API_KEY."""
    if isinstance(api_key, str):
        return api_key.strip() or None
    if api_key is None:
        return None
    for name in API_KEY_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def as_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
