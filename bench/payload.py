"""The canned wire format the benchmark server sends, shared with the report for byte counts.

Stream bodies are in the real Agent Server's format: ``event: NAME\\r\\ndata: JSON\\r\\n\\r\\n``,
first a ``metadata`` event, then ``n`` ``custom`` events whose JSON data is ``size`` bytes long.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

RUN_ID = "1f0a5c1e-0000-6000-8000-00000000b001"
THREAD_ID = "1f0a5c1e-0000-6000-8000-00000000b002"
CHUNK_SIZE = 64 * 1024

# The `runs.wait` answer: a small graph state, as a typical chat agent returns it.
WAIT_BODY = (
    b'{"messages":[{"type":"human","content":"hi","id":"m1"},'
    b'{"type":"ai","content":"Hello! How can I help?","id":"m2"}],"x":1}'
)
WAIT_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-location", f"/threads/{THREAD_ID}/runs/{RUN_ID}".encode()),
    (b"content-length", str(len(WAIT_BODY)).encode()),
]
STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"content-location", f"/runs/{RUN_ID}".encode()),
]

_DATA_MIN = len(b'{"i":0,"pad":""}')


def sse_event(event: bytes, data: bytes) -> bytes:
    """One event in the real server's framing."""
    return b"event: " + event + b"\r\ndata: " + data + b"\r\n\r\n"


def metadata_event() -> bytes:
    return sse_event(b"metadata", b'{"run_id":"' + RUN_ID.encode() + b'","attempt":1}')


def custom_data(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes (or the smallest possible, 16 bytes)."""
    return b'{"i":0,"pad":"' + b"x" * max(0, size - _DATA_MIN) + b'"}'


@lru_cache(maxsize=32)
def _plan(n: int, size: int) -> tuple[bytes, int, bytes]:
    """A chunk of whole events, how many times to send it, and the tail after the repeats."""
    event = sse_event(b"custom", custom_data(size))
    per_chunk = max(1, CHUNK_SIZE // len(event))
    repeats, rest = divmod(n, per_chunk)
    return event * per_chunk, repeats, event * rest


def stream_chunks(n: int, size: int) -> Iterator[bytes]:
    """The body of a stream of ``n`` custom events, in chunks of about ``CHUNK_SIZE`` bytes."""
    chunk, repeats, tail = _plan(n, size)
    yield metadata_event()
    for _ in range(repeats):
        yield chunk
    if tail:
        yield tail


def stream_length(n: int, size: int) -> int:
    """Total body bytes of ``stream_chunks(n, size)``."""
    return len(metadata_event()) + n * len(sse_event(b"custom", custom_data(size)))
