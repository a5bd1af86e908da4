"""A client for the LangGraph Agent Server API, async and sync.

from langgraph_client import get_client, get_sync_client

client = get_client(url="http://127.0.0.1:2024")
result = await client.runs.wait(None, "agent", input={"messages": [...]})

sync_client = get_sync_client(url="http://127.0.0.1:2024")
result = sync_client.runs.wait(None, "agent", input={"messages": [...]})
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._capture import CapturedResponses, capture_responses
from ._client import Client, get_client
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    LangGraphError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReconnectExhaustedError,
    RunCancelledError,
    RunFailedError,
    RunOutcomeUnknownError,
    StreamLostError,
    ThreadCommandError,
    UnprocessableEntityError,
)
from ._http import NOT_GIVEN, NotGiven
from ._logs import enable_debug_logging
from ._logs import setup_logging as _setup_logging
from ._pagination import Paginator
from ._retry import ReconnectPolicy
from ._routes import HttpRoutes
from ._run_events import StreamPart
from ._stream import RunStream
from ._version import __version__

if _TYPE_CHECKING:
    from ._aiohttp import DefaultAioHttpClient as DefaultAioHttpClient
    from ._sync._client import SyncClient, get_sync_client
    from ._sync._pagination import SyncPaginator
    from ._sync._routes import SyncHttpRoutes
    from ._sync._stream import SyncRunStream

    SyncLangGraphClient = SyncClient

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CapturedResponses",
    "Client",
    "ClientClosedError",
    "ConflictError",
    "HttpRoutes",
    "InternalServerError",
    "LangGraphError",
    "NotFoundError",
    "NotGiven",
    "Paginator",
    "PermissionDeniedError",
    "RateLimitError",
    "ReconnectExhaustedError",
    "ReconnectPolicy",
    "RunCancelledError",
    "RunFailedError",
    "RunOutcomeUnknownError",
    "RunStream",
    "StreamLostError",
    "StreamPart",
    "SyncClient",
    "SyncHttpRoutes",
    "SyncLangGraphClient",
    "SyncPaginator",
    "SyncRunStream",
    "ThreadCommandError",
    "UnprocessableEntityError",
    "__version__",
    "capture_responses",
    "enable_debug_logging",
    "get_client",
    "get_sync_client",
]

# The sync client loads on first use: async programs never pay for importing it.
_LAZY = {
    "SyncClient": ("._sync._client", "SyncClient"),
    "SyncLangGraphClient": ("._sync._client", "SyncClient"),  # the official SDK's name
    "get_sync_client": ("._sync._client", "get_sync_client"),
    "SyncPaginator": ("._sync._pagination", "SyncPaginator"),
    "SyncHttpRoutes": ("._sync._routes", "SyncHttpRoutes"),
    "SyncRunStream": ("._sync._stream", "SyncRunStream"),
}


def __getattr__(name: str) -> _Any:
    if name == "DefaultAioHttpClient":
        return _aiohttp_client()
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _aiohttp_client() -> _Any:
    # Needs the optional aiohttp (~150 ms to import): loaded on first use, and neither cached
    # here nor in `__all__`, so that `from langgraph_client import *` never needs aiohttp.
    try:
        from ._aiohttp import DefaultAioHttpClient
    except ModuleNotFoundError as exc:
        if exc.name != "aiohttp":
            raise
        raise ImportError(
            'DefaultAioHttpClient needs aiohttp: pip install "langgraph-client[aiohttp]"'
        ) from exc
    return DefaultAioHttpClient


_setup_logging()
