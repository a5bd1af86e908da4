"""An async client for the LangGraph Agent Server API.

from langgraph_client import get_client

client = get_client(url="http://127.0.0.1:2024")
result = await client.runs.wait(None, "agent", input={"messages": [...]})
"""

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
from ._routes import HttpRoutes
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
    "CapturedResponses",
    "Client",
    "ConflictError",
    "HttpRoutes",
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
    "capture_responses",
    "get_client",
]

_setup_logging()
