"""Properties of SSE decoding: chunking never matters, parity with httpx-sse, and fuzzing of
both the decoder and a whole `RunStream` over arbitrary bytes."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import httpx
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from langgraph_client import LangGraphError, get_client
from langgraph_client._sse import (
    PartDecoder,
    ServerSentEvent,
    SSEDecodeError,
    SSEDecoder,
    _split_lines,
)

from .conftest import BASE_URL, SSE_HEADERS
from .test_sse import normalize, reference

SETTINGS = settings(
    max_examples=120,
    deadline=1000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Field values: any text without CR/LF (U+2028 and friends included: they are not line ends).
value = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20
)
line_end = st.sampled_from(["\n", "\r", "\r\n"])


@st.composite
def field(draw: st.DrawFn, *, plain_retry: bool = False) -> str:
    """One field line. `plain_retry`: `retry` values httpx-sse's `int()` reads as we do
    (we take ASCII digits only; it also takes " 5", "+5", "-5")."""
    kind = draw(st.sampled_from(["data", "data", "event", "id", "retry", "comment", "other"]))
    sep = draw(st.sampled_from([": ", ":", ":  ", ""]))
    if kind == "comment":
        return ":" + draw(value)
    if kind == "retry":
        if plain_retry:
            sep = draw(st.sampled_from([": ", ":"]))
        return "retry" + sep + draw(st.from_regex(r"\A[0-9]{0,6}\Z"))
    if kind == "other":
        return draw(st.sampled_from(["foo", "Data", "data ", "ev"])) + sep + draw(value)
    return kind + (sep or ":") + draw(value) if sep else kind


@st.composite
def sse_stream(draw: st.DrawFn, *, mixed_line_ends: bool = True) -> bytes:
    """A stream of blocks, each some fields and a blank line; maybe a final unterminated one."""
    fixed = draw(line_end)
    out = []
    for fields in draw(st.lists(st.lists(field(), max_size=5), max_size=8)):
        for line in [*fields, ""]:
            out.append(line + (draw(line_end) if mixed_line_ends else fixed))
    if draw(st.booleans()):
        out.append(draw(field()))
    return "".join(out).encode()


@st.composite
def dispatching_stream(draw: st.DrawFn) -> bytes:
    """Blocks that each carry `data` or a non-empty `event` (so both decoders dispatch the
    same blocks), one line-end style, a trailing blank line, digits-only retry."""
    eol = draw(line_end)
    blocks = []
    for _ in range(draw(st.integers(0, 8))):
        # An empty `event` value is "no event" to httpx-sse but "an event field" to us: only
        # non-empty event names here, so that every block dispatches in both.
        other = field(plain_retry=True).filter(lambda f: not f.startswith("event"))
        named = value.filter(lambda v: v.strip(" ") != "").map(lambda v: "event: " + v)
        lines = draw(st.lists(st.one_of(other, named), max_size=4))
        lines.append(draw(st.one_of(named, value.map(lambda v: "data: " + v))))
        lines = draw(st.permutations(lines))
        blocks.append(eol.join([*lines, "", ""]))
    return "".join(blocks).encode()


def splits(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given offsets into non-empty chunks (httpx never yields empty ones;
    an empty chunk is covered by test_sse.test_empty_chunk_between_cr_and_lf)."""
    bounds = sorted({0, len(data), *(c for c in cuts if 0 < c < len(data))})
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def run(chunks: list[bytes], **kwargs: int) -> list[ServerSentEvent]:
    decoder = SSEDecoder(**kwargs)
    events = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.flush()


@SETTINGS
@given(sse_stream(), st.lists(st.integers(0, 400), max_size=12))
def test_any_split_gives_the_events_of_the_whole(stream: bytes, cuts: list[int]) -> None:
    assert run(splits(stream, cuts)) == run([stream])


@SETTINGS
@given(sse_stream())
def test_one_byte_chunks_give_the_events_of_the_whole(stream: bytes) -> None:
    assert run([stream[i : i + 1] for i in range(len(stream))]) == run([stream])


@SETTINGS
@given(dispatching_stream(), st.lists(st.integers(0, 400), max_size=8))
def test_same_events_as_httpx_sse(stream: bytes, cuts: list[int]) -> None:
    chunks = splits(stream, cuts)
    assert normalize(run(chunks)) == reference(chunks)


tokens = st.sampled_from(
    [
        b"data:",
        b"data: ",
        b"event:",
        b"id:",
        b"retry:",
        b"retry: 12",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"\r\n",
        b"{}",
        b"x",
        b"\x00",
        b"\xff",
        b"\xe2\x80\xa8",
        b"\xc3",
        b"99999999",
    ]
)
fuzz_bytes = st.one_of(st.binary(max_size=300), st.lists(tokens, max_size=60).map(b"".join))


@SETTINGS
@given(fuzz_bytes, st.lists(st.integers(0, 300), max_size=10), st.sampled_from([16, 64, 10**6]))
def test_fuzz_raises_only_decode_errors(data: bytes, cuts: list[int], limit: int) -> None:
    with contextlib.suppress(SSEDecodeError):
        run(splits(data, cuts), max_event_bytes=limit)


@SETTINGS
@given(fuzz_bytes, st.lists(st.integers(0, 300), max_size=10))
def test_fuzz_decode_errors_do_not_depend_on_chunking_for_utf8(
    data: bytes, cuts: list[int]
) -> None:
    # With no size limit in play, a stream is either decodable or not, however it is chunked.
    def outcome(chunks: list[bytes]) -> object:
        try:
            return run(chunks)
        except SSEDecodeError:
            return "error"

    assert outcome(splits(data, cuts)) == outcome([data])


stream_tokens = st.sampled_from(
    [
        b'event: metadata\r\ndata: {"run_id":"r"}\r\n\r\n',
        b'event: error\ndata: {"error":"ValueError","message":"m"}\n\n',
        b'event: error\ndata: "just text"\n\n',
        b"data: [1,2]\n\n",
        b"data: {\n",
        b"event: values\nid: 1-0\ndata: null\n\n",
        b": heartbeat\n\n",
        b"\n",
        b"\xff",
    ]
)
stream_bytes = st.one_of(
    fuzz_bytes, st.lists(st.one_of(tokens, stream_tokens), max_size=30).map(b"".join)
)


async def _body(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
        await asyncio.sleep(0)


@settings(
    max_examples=100,
    deadline=2000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(stream_bytes, st.lists(st.integers(0, 300), max_size=6), st.booleans())
async def test_run_stream_over_arbitrary_bytes_raises_only_langgraph_errors(
    data: bytes, cuts: list[int], raise_error: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE_HEADERS, content=_body(splits(data, cuts)))

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport) as http:
        client = get_client(url=BASE_URL, api_key=None, max_retries=0, http_client=http)

        async def consume() -> int:
            count = 0
            async with client.runs.stream(None, "agent", raise_error=raise_error) as stream:
                async for _ in stream:
                    count += 1
            return count

        with contextlib.suppress(LangGraphError):
            await asyncio.wait_for(consume(), timeout=5)


# The one-pass decoder: its fast path must give exactly what the general path gives.


class Part(NamedTuple):
    event: str
    data: object
    id: str | None


def _general_part(event: ServerSentEvent) -> Part:
    try:
        data = orjson.loads(event.data) if event.data else None
    except ValueError:
        data = ("not json", event.data)
    return Part(event.event, data, event.id)


def run_parts(chunks: list[bytes], **kwargs: Any) -> tuple[list[Part], int]:
    """Parts from `PartDecoder`, and how many events went the general way."""
    general_calls = 0

    def general(event: ServerSentEvent, out: list[Part]) -> None:
        nonlocal general_calls
        general_calls += 1
        out.append(_general_part(event))

    decoder = PartDecoder(Part, orjson.loads, general, **kwargs)
    parts: list[Part] = []
    for chunk in chunks:
        parts += decoder.feed(chunk)
    return parts + decoder.flush(), general_calls


json_value = st.sampled_from(
    ['{"a":1}', "[1,2]", "null", "3", '"s"', "{", "", "x", '{"k":"\u2028"}']
)


@st.composite
def json_stream(draw: st.DrawFn) -> bytes:
    """Mostly the common event (`event:` + one JSON `data:` line), with rare lines mixed in."""
    eol = draw(line_end)
    blocks = []
    for _ in range(draw(st.integers(0, 10))):
        name = draw(st.sampled_from(["values", "updates", "metadata", "error", "", "v|n:1"]))
        lines = [f"event: {name}", "data: " + draw(json_value)]
        lines += draw(
            st.lists(st.one_of(field(), st.just("data: " + draw(json_value))), max_size=2)
        )
        if draw(st.booleans()):
            lines = draw(st.permutations(lines))
        blocks.append(eol.join([*lines, "", ""]))
    return "".join(blocks).encode()


@SETTINGS
@given(st.one_of(json_stream(), sse_stream()), st.lists(st.integers(0, 400), max_size=12))
def test_one_pass_parts_equal_the_general_path_however_split(
    stream: bytes, cuts: list[int]
) -> None:
    expected = [_general_part(event) for event in run([stream])]
    fast, _ = run_parts(splits(stream, cuts), special=("metadata", "error"))
    assert fast == expected
    assert run_parts([stream[i : i + 1] for i in range(len(stream))])[0] == expected


@SETTINGS
@given(fuzz_bytes, st.lists(st.integers(0, 300), max_size=10))
def test_one_pass_fails_where_the_general_path_fails(data: bytes, cuts: list[int]) -> None:
    def outcome(parts: bool) -> object:
        try:
            return run_parts(splits(data, cuts))[0] if parts else run(splits(data, cuts))
        except SSEDecodeError:
            return "error"

    general = outcome(False)
    assert outcome(True) == (general if general == "error" else [_general_part(e) for e in general])


# Splitting long chunks by `find`: exactly `bytes.splitlines`, at any size and line length.

line_ends = st.sampled_from([b"\n", b"\r", b"\r\n", b"\n\r", b"\r\r", b"\n\n"])
long_lines = st.lists(
    st.tuples(st.integers(0, 3000), st.sampled_from([b"x", b"\xe2\x80\xa8", b"\x0b"]), line_ends),
    max_size=40,
).map(lambda parts: b"".join(fill * n + end for n, fill, end in parts))


@SETTINGS
@given(long_lines, st.binary(max_size=50))
def test_split_lines_equals_splitlines(body: bytes, tail: bytes) -> None:
    for data in (body, body + tail, tail + body, body.rstrip(b"\r\n")):
        assert _split_lines(data) == data.splitlines()


@SETTINGS
@given(long_lines, st.lists(st.integers(0, 60_000), max_size=8))
def test_long_lines_decode_the_same_however_split(body: bytes, cuts: list[int]) -> None:
    stream = b"".join(b"data: " + line + b"\n\n" for line in body.splitlines()[:20])
    assert run(splits(stream, cuts)) == run(
        [stream[i : i + 700] for i in range(0, len(stream), 700)]
    )
