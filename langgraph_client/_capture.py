"""`capture_responses()`: the raw HTTP responses of the calls made inside a `with` block.

    with capture_responses() as raw:
        run = await client.runs.get(thread_id, run_id)
    print(raw.status_code, raw.request_id, raw.response.headers)

A context variable, so no method's signature or result changes, concurrent tasks never see each
other's responses, and it works the same for plain calls, streams and errors, async or sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

__all__ = ["CapturedResponses", "capture_responses", "record"]

_ACTIVE: ContextVar[tuple[list[httpx.Response], ...]] = ContextVar(
    "langgraph_client_captures", default=()
)


class CapturedResponses:
    """The responses received inside one `capture_responses()` block, in order.

    One call may add several: a retried request adds each attempt's response, a resumed stream
    each connection's. Bodies are read for plain calls; a stream's body is its events.
    """

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    @property
    def response(self) -> httpx.Response:
        """The last response received; `LookupError` if there was none yet."""
        if not self.responses:
            raise LookupError("no response was received inside this capture_responses() block")
        return self.responses[-1]

    @property
    def status_code(self) -> int:
        """The last response's status."""
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The last response's headers."""
        return self.response.headers

    @property
    def request_id(self) -> str | None:
        """The last response's `x-request-id` header, for logs and support tickets."""
        value: str | None = self.response.headers.get("x-request-id")
        return value

    def __repr__(self) -> str:
        seen = ", ".join(
            f"{r.request.method} {r.request.url.path} {r.status_code}" for r in self.responses
        )
        return f"<CapturedResponses [{seen}]>"


@contextmanager
def capture_responses() -> Iterator[CapturedResponses]:
    """Collect the HTTP responses of every call made in this block (in this task, and in tasks
    it starts). Blocks nest: an outer block sees the inner block's responses too."""
    captured = CapturedResponses()
    token = _ACTIVE.set((*_ACTIVE.get(), captured.responses))
    try:
        yield captured
    finally:
        _ACTIVE.reset(token)


def record(response: httpx.Response) -> None:
    """Called by the request path for every response it receives."""
    for responses in _ACTIVE.get():
        responses.append(response)
