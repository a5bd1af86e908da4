"""The exception hierarchy, and the one place where responses and transport errors map onto it."""

from __future__ import annotations

import logging
from typing import Any, overload

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "LangGraphError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReconnectExhaustedError",
    "RunCancelledError",
    "RunFailedError",
    "RunOutcomeUnknownError",
    "StreamLostError",
    "ThreadCommandError",
    "UnprocessableEntityError",
]

# How much of an error body goes into an exception message; the whole body stays on `.body`.
_MESSAGE_LIMIT = 2000

logger = logging.getLogger("langgraph_client")


class LangGraphError(Exception):
    """Base class of every exception this library raises on purpose."""


class APIError(LangGraphError):
    """A request to the Agent Server did not give a usable answer."""

    message: str
    request: httpx.Request | None

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = redact_request(request)

    def __repr__(self) -> str:
        # httpx's repr of a request names method and URL only; never headers (the API key).
        return f"{type(self).__name__}({self.message!r})"


class ClientClosedError(LangGraphError, RuntimeError):
    """The client (or the httpx client it was given) was closed: make a new one.

    Also a `RuntimeError`, which is what httpx raises for a closed client."""


class APIConnectionError(APIError, httpx.TransportError):
    """The server could not be reached, or the connection broke before the answer was complete.

    Also an `httpx.TransportError` and, when raised for one, an instance of httpx's own class
    for it (`httpx.ConnectError`, `httpx.ReadError`, ...): code written for the official SDK,
    which lets httpx's errors through, catches it as before.
    """

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        APIError.__init__(self, message, request=request)

    @property  # type: ignore[override]
    def request(self) -> httpx.Request | None:  # httpx's raises when there is none: ours is None
        return self._request

    @request.setter
    def request(self, request: httpx.Request | None) -> None:  # httpx sets it too
        self._request = redact_request(request)

    def __reduce__(self) -> Any:
        pair = type(self).__dict__.get("_httpx_pair")
        if pair is None:
            return super().__reduce__()
        return (_remake, (*pair, self.message))  # a made class is found again by its pair


class APITimeoutError(APIConnectionError, httpx.TimeoutException):
    """A connect, read (idle gap), write or pool timeout expired; also an
    `httpx.TimeoutException` (and `httpx.ReadTimeout`, ... for the phase that expired)."""


class StreamLostError(APIConnectionError):
    """A stream broke and could not be resumed (not resumable, or reconnect attempts spent)."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        last_event_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, request=request)
        self.last_event_id = last_event_id
        self.attempts = attempts


class ReconnectExhaustedError(StreamLostError):
    """The reconnect budget (`ReconnectPolicy`) ran out before the run could be reached again:
    raised by a stream's resume, `wait`'s rejoin and `join`. The run may still be going on the
    server: `runs.join_stream(thread_id, run_id, last_event_id=...)` picks it up later."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        run_id: str | None = None,
        thread_id: str | None = None,
        last_event_id: str | None = None,
        attempts: int = 0,
        waited: float = 0.0,
    ) -> None:
        super().__init__(message, request=request, last_event_id=last_event_id, attempts=attempts)
        self.run_id = run_id
        self.thread_id = thread_id
        self.waited = waited
        """Seconds spent trying since the last progress."""


class RunCancelledError(APIConnectionError):
    """The connection dropped and the server stopped the run because of it (the run was created
    with `on_disconnect="cancel"`): what `wait` and `join` found when they rejoined the run."""

    def __init__(
        self,
        message: str,
        *,
        run_id: str,
        thread_id: str | None,
        status: str | None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.run_id = run_id
        self.thread_id = thread_id
        self.status = status
        """The run's status after the drop, e.g. "interrupted"."""


class RunOutcomeUnknownError(APIConnectionError):
    """The connection dropped and the run's outcome can no longer be read (a stateless run's
    temporary thread is deleted when the run ends). Not a failure: the run may have succeeded."""

    def __init__(
        self,
        message: str,
        *,
        run_id: str,
        thread_id: str | None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.run_id = run_id
        self.thread_id = thread_id


class APIResponseValidationError(APIError):
    """The server answered, but the body is not what the protocol promises (bad JSON, bad SSE)."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.response = response
        if response is not None:
            response.request = redact_request(response.request)


class APIStatusError(APIError, httpx.HTTPStatusError):
    """The server answered with a 4xx or 5xx status (or a redirect this client refuses).

    Also an `httpx.HTTPStatusError`, so code written for the official SDK (or for plain httpx)
    that catches that keeps working.
    """

    status_code: int
    request: httpx.Request
    response: httpx.Response
    body: Any
    request_id: str | None
    code: str | None
    """The `code` field of a JSON error body, if it is a string (as in the official SDK)."""
    param: str | None
    """The `param` field of a JSON error body, if it is a string."""
    type: str | None
    """The `type` field of a JSON error body, if it is a string."""
    retry_after: float | None
    """Seconds the server asked the client to wait (`Retry-After`), if it said."""

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        Exception.__init__(self, message)
        self.message = message
        # The response is spent; its request is shown with the key redacted, the sent one kept.
        response.request = self.request = redact_request(response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id = response.headers.get("x-request-id")
        fields = body if isinstance(body, dict) else {}
        self.code, self.param, self.type = (
            value if isinstance(value := fields.get(key), str) else None
            for key in ("code", "param", "type")
        )
        from ._retry import retry_after

        self.retry_after = retry_after(response.headers)


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404: unknown assistant, thread, run, cron or item."""


class ConflictError(APIStatusError):
    """409: the thread is busy (multitask_strategy="reject") or the resource already exists."""


class UnprocessableEntityError(APIStatusError):
    """422: the server rejected the request body or parameters; `body["detail"]` says why."""


class RateLimitError(APIStatusError):
    """429."""


class InternalServerError(APIStatusError):
    """Any 5xx."""


class RunFailedError(LangGraphError):
    """The run failed on the server: the graph raised, or its stream sent an `error` event."""

    def __init__(
        self,
        *,
        error: str | None,
        message: str | None,
        run_id: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        text = f"{error or 'Error'}: {message}" if message else (error or "run failed")
        where = ", ".join(
            f"{name}={value}"
            for name, value in (("run_id", run_id), ("thread_id", thread_id))
            if value
        )
        super().__init__(f"{text} ({where})" if where else text)
        self.error = error
        self.message = message
        self.run_id = run_id
        self.thread_id = thread_id


class ThreadCommandError(APIError, RuntimeError):
    """A thread-stream command was refused: the server's protocol error, sent with HTTP 200
    (`{"type": "error", "error": "no_such_interrupt", ...}`). Also a `RuntimeError`, which is
    what the official SDK raises there, so code catching that keeps working."""

    def __init__(self, *, method: str, error: str | None, message: str | None) -> None:
        super().__init__(f"{method} refused: {error or 'error'}: {message or ''}".rstrip(": "))
        self.method = method
        self.error = error
        """The protocol's error code, e.g. `no_such_interrupt`."""
        self.detail = message
        """The server's explanation."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response, body: Any, content: bytes) -> APIStatusError:
    """The typed exception for an error response whose body has been read."""
    code = response.status_code
    cls = _STATUS_CLASSES.get(code) or (InternalServerError if code >= 500 else APIStatusError)
    detail = _detail(body, content)
    reason = response.reason_phrase or "error"
    text = f"{code} {reason} for {response.request.method} {response.request.url.path}"
    if detail:
        text = f"{text}: {detail}"
    request_id = response.headers.get("x-request-id")
    if request_id:
        text = f"{text} (request id {request_id})"
    error = cls(text, response=response, body=body)
    if error.retry_after is not None and code in (429, 503):
        error.message = f"{text} (the server asks to retry after {error.retry_after:g} s)"
        error.args = (error.message,)
    logger.info("failed: %s", error.message)
    return error


_REDACTED = b"[redacted]"


def redact_response(
    response: httpx.Response, content: bytes, secret: str | None
) -> tuple[httpx.Response, bytes]:
    """`response` and its read `content` with every copy of `secret` replaced, in the body and
    the headers: an error response that echoes the API key can be kept on an exception whole.
    Unchanged when the secret appears nowhere. (The request is redacted by `redact_request`.)"""
    key = secret.encode() if secret else b""
    headers = response.headers
    if not key or (key not in content and not any(key in v for _, v in headers.raw)):
        return response, content
    content = content.replace(key, _REDACTED)
    clean = [
        (name, value.replace(key, _REDACTED))
        for name, value in headers.raw
        # The content is decoded already and its length changed: say so.
        if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
    ]
    redacted = httpx.Response(
        response.status_code,
        headers=clean,
        content=content,
        request=response.request,
        extensions=response.extensions,
    )
    return redacted, content


@overload
def redact_request(request: httpx.Request) -> httpx.Request: ...
@overload
def redact_request(request: None) -> None: ...
@overload
def redact_request(request: httpx.Request | None) -> httpx.Request | None: ...
def redact_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of `request` whose `x-api-key`, and any header holding its value, reads
    `[redacted]`, for an exception to carry: the request object that is sent (and re-sent on a
    retry) is left untouched. The same request when there is no key."""
    if request is None:
        return None
    keys = [
        v for n, v in request.headers.raw if n.lower() == b"x-api-key" and v not in (b"", _REDACTED)
    ]
    if not keys:
        return request
    clean = [
        (name, _REDACTED if any(key in value for key in keys) else value)
        for name, value in request.headers.raw
    ]
    copy = httpx.Request(
        request.method,
        request.url,
        headers=clean,
        stream=request.stream,
        extensions=request.extensions,
    )
    if isinstance(request.stream, httpx.ByteStream):
        copy.read()  # a body held in memory reads back as `.content`, as on the original
    return copy


def _detail(body: Any, content: bytes) -> str:
    """The server's own words: `detail`/`message`/`error` of a JSON body, or the text of a page."""
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if body.get(key):
                value = body[key]
                return value[:_MESSAGE_LIMIT] if isinstance(value, str) else _compact(value)
        return _compact(body)
    if body is not None:
        return _compact(body)
    text = content.decode("utf-8", "replace").strip()
    if text.startswith("<"):
        text = _strip_tags(text)
    return text[:_MESSAGE_LIMIT]


def _compact(value: Any) -> str:
    from ._json import dumps

    try:
        return dumps(value).decode()[:_MESSAGE_LIMIT]
    except TypeError:
        return repr(value)[:_MESSAGE_LIMIT]


def _strip_tags(html: str) -> str:
    """Readable text of an HTML error page: the title if any, else the tag-free text."""
    import re

    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    if title and title.group(1).strip():
        return " ".join(title.group(1).split())[:_MESSAGE_LIMIT]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.I | re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())[:_MESSAGE_LIMIT]


def transport_error(exc: httpx.TransportError, request: httpx.Request | None) -> APIError:
    """Translate httpx's transport exceptions: the only place they are caught and renamed.

    The result is also an instance of `exc`'s own httpx class, so `except httpx.ConnectError`
    keeps catching what it caught before this client wrapped it.
    """
    what = ""
    if request is not None:
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        what = f" ({request.method} {url.path} on {url.host}:{port})"
    error: APIError
    if isinstance(exc, httpx.TimeoutException):
        kind = type(exc).__name__
        cls: type[APIConnectionError] = _with_httpx_class(APITimeoutError, type(exc))
        error = cls(f"request timed out: {kind}{what}", request=request)
    else:
        detail = str(exc) or type(exc).__name__
        cls = _with_httpx_class(APIConnectionError, type(exc))
        error = cls(f"connection error: {detail}{what}", request=request)
    if error.request is not None:
        exc.request = error.request  # httpx's error is the `__cause__`: it shows the same copy
    logger.info("failed: %s", error.message)
    return error


_MIXED: dict[tuple[type[APIConnectionError], type[httpx.TransportError]], type[Any]] = {}


def _with_httpx_class(
    ours: type[APIConnectionError], theirs: type[httpx.TransportError]
) -> type[APIConnectionError]:
    """`ours`, also a subclass of httpx's `theirs` (one class per pair, made once, named like
    `ours` so reprs and messages read the same)."""
    if issubclass(ours, theirs) or not theirs.__module__.startswith("httpx"):
        return ours
    key = (ours, theirs)
    mixed = _MIXED.get(key)
    if mixed is None:
        namespace = {"__module__": ours.__module__, "_httpx_pair": key}
        mixed = type(ours.__name__, (ours, theirs), namespace)
        mixed.__qualname__ = ours.__qualname__
        _MIXED[key] = mixed
    result: type[APIConnectionError] = mixed
    return result


def _remake(
    ours: type[APIConnectionError], theirs: type[httpx.TransportError], message: str
) -> APIConnectionError:
    return _with_httpx_class(ours, theirs)(message)
