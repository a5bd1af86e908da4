"""An async client for the LangGraph Agent Server API.

from langgraph_client import get_client

client = get_client(url="http://127.0.0.1:2024")
result = await client.runs.wait(None, "agent", input={"messages": [...]})
"""

import typing as _typing

from ._client import Client, get_client
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    LangGraphError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RunFailedError,
    StreamLostError,
    UnprocessableEntityError,
)
from ._http import NOT_GIVEN, NotGiven
from ._logs import setup_logging as _setup_logging
from ._pagination import Paginator
from ._stream import RunStream, StreamPart
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "InternalServerError",
    "LangGraphError",
    "NotFoundError",
    "NotGiven",
    "Paginator",
    "PermissionDeniedError",
    "RateLimitError",
    "RunFailedError",
    "RunStream",
    "StreamLostError",
    "StreamPart",
    "UnprocessableEntityError",
    "__version__",
    "get_client",
]

if _typing.TYPE_CHECKING:
    from ._aiohttp import DefaultAioHttpClient as DefaultAioHttpClient


def __getattr__(name: str) -> _typing.Any:
    # `DefaultAioHttpClient` needs the optional aiohttp (~150 ms to import): loaded on first
    # use only, and kept out of `__all__` so that `import *` never needs aiohttp.
    if name == "DefaultAioHttpClient":
        try:
            from ._aiohttp import DefaultAioHttpClient
        except ModuleNotFoundError as exc:
            if exc.name != "aiohttp":
                raise
            raise ImportError(
                'DefaultAioHttpClient needs aiohttp: pip install "langgraph-client[aiohttp]"'
            ) from exc
        return DefaultAioHttpClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_setup_logging()
