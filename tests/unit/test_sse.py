"""`SSEDecoder`: the real capture whole and split, line ends, fields, limits, httpx-sse parity."""

from __future__ import annotations

import codecs
import contextlib
import json
import re
import time
from collections.abc import Iterable
from typing import NamedTuple

import pytest
from httpx._decoders import LineDecoder
from httpx_sse._decoders import SSEDecoder as RefDecoder
from httpx_sse._decoders import SSELineDecoder as RefLineDecoder

from langgraph_client._sse import PartDecoder, ServerSentEvent, SSEDecodeError, SSEDecoder

from .conftest import capture_bytes

Event = tuple[str, str, str, "int | None"]


def decode(chunks: Iterable[bytes], **kwargs: int) -> list[ServerSentEvent]:
    decoder = SSEDecoder(**kwargs)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def split2(data: bytes, k: int) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = decoder.feed(data[:k])
    events += decoder.feed(data[k:])
    return events + decoder.flush()


def normalize(events: Iterable[ServerSentEvent]) -> list[Event]:
    """Our events in httpx-sse's shape (data `str`, `""` when absent; id `""` when none)."""
    return [(e.event, (e.data or b"").decode(), e.id or "", e.retry) for e in events]


def reference(chunks: Iterable[bytes]) -> list[Event]:
    """httpx-sse's decoders over the same chunks, text-decoded incrementally as httpx does."""
    text = codecs.getincrementaldecoder("utf-8")()
    lines = RefLineDecoder()
    sse = RefDecoder()
    out = []
    for chunk in chunks:
        decoded = text.decode(chunk)
        for line in lines.decode(decoded) if decoded else []:
            event = sse.decode(line)
            if event is not None:
                out.append(event)
    for line in lines.flush():
        event = sse.decode(line)
        if event is not None:
            out.append(event)
    return [(e.event, e.data, e.id, e.retry) for e in out]


def naive_blocks(data: bytes) -> list[ServerSentEvent]:
    """An independent reading of the capture (LF-only, one data line per event)."""
    events = []
    for block in data.split(b"\n\n"):
        lines = [line for line in block.split(b"\n") if line and not line.startswith(b":")]
        fields = dict(line.split(b": ", 1) for line in lines)
        if fields:
            events.append(ServerSentEvent(fields[b"event"].decode(), fields[b"data"], None, None))
    return events


@pytest.fixture(scope="module")
def capture() -> bytes:
    return capture_bytes()


@pytest.fixture(scope="module")
def capture_events(capture: bytes) -> list[ServerSentEvent]:
    return decode([capture])


# The real capture


def test_capture_whole_matches_an_independent_reading(
    capture: bytes, capture_events: list[ServerSentEvent]
) -> None:
    expected = naive_blocks(capture)
    assert len(expected) == len(re.findall(rb"(?m)^event:", capture)) == 79
    assert capture_events == expected
    first = capture_events[0]
    assert first.event == "metadata"
    assert json.loads(first.data or b"")["run_id"] == "01994ed8-29c4-7108-93d4-d649c7a9e370"
    names = {e.event for e in capture_events}
    assert "messages/partial" in names
    assert any(n.startswith("debug|conduct_research:") for n in names)
    for event in capture_events:
        json.loads(event.data or b"")  # every payload is one whole JSON document


def test_capture_matches_httpx_sse(capture: bytes, capture_events: list[ServerSentEvent]) -> None:
    assert normalize(capture_events) == reference([capture])


def test_capture_in_one_byte_chunks(capture: bytes, capture_events: list[ServerSentEvent]) -> None:
    chunks = [capture[i : i + 1] for i in range(len(capture))]
    assert decode(chunks) == capture_events


def test_capture_in_one_byte_chunks_matches_httpx_sse(capture: bytes) -> None:
    chunks = [capture[i : i + 1] for i in range(0, 30_000)]  # the reference is slow per byte
    prefix = capture[:30_000]
    cut = prefix.rindex(b"\n\n") + 2
    assert normalize(decode([prefix[:cut]])) == reference(chunks[:cut])


def test_capture_every_split_of_the_first_three_events(
    capture: bytes, capture_events: list[ServerSentEvent]
) -> None:
    ends = [m.end() for m in re.finditer(rb"\n\n", capture)]
    prefix = capture[: ends[2]]
    expected = capture_events[:3]
    assert decode([prefix]) == expected
    for k in range(len(prefix) + 1):
        assert split2(prefix, k) == expected, f"split at byte {k}"


def test_capture_splits_across_the_whole_stream(
    capture: bytes, capture_events: list[ServerSentEvent]
) -> None:
    # A stride through everything, plus every boundary near each line end (where bugs live).
    ks = set(range(0, len(capture) + 1, 211))
    for m in re.finditer(rb"\n", capture):
        ks.update(range(max(0, m.start() - 3), min(len(capture), m.end() + 3) + 1))
    for k in sorted(ks):
        assert split2(capture, k) == capture_events, f"split at byte {k}"


@pytest.mark.parametrize("eol", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_capture_with_other_line_ends(
    capture: bytes, capture_events: list[ServerSentEvent], eol: bytes
) -> None:
    converted = capture.replace(b"\n", eol)
    assert decode([converted]) == capture_events
    assert reference([converted]) == normalize(capture_events)
    # Every split at, inside and next to each line end (the CRLF pairs above all).
    ks = set()
    for m in re.finditer(re.escape(eol), converted):
        ks.update(range(m.start() - 2, m.end() + 3))
    for k in sorted(ks):
        assert split2(converted, k) == capture_events, f"split at byte {k}"


def test_capture_crlf_every_split_of_the_first_two_events(
    capture: bytes, capture_events: list[ServerSentEvent]
) -> None:
    converted = capture.replace(b"\n", b"\r\n")
    ends = [m.end() for m in re.finditer(rb"\r\n\r\n", converted)]
    prefix = converted[: ends[1]]
    for k in range(len(prefix) + 1):
        assert split2(prefix, k) == capture_events[:2], f"split at byte {k}"


# Line ends


@pytest.mark.parametrize("eol", ["\n", "\r", "\r\n"], ids=["lf", "cr", "crlf"])
def test_each_line_end(eol: str) -> None:
    stream = f"event: a{eol}data: 1{eol}{eol}data: 2{eol}data: 3{eol}{eol}".encode()
    expected = [
        ServerSentEvent("a", b"1", None, None),
        ServerSentEvent("message", b"2\n3", None, None),
    ]
    assert decode([stream]) == expected
    assert decode([stream[i : i + 1] for i in range(len(stream))]) == expected
    assert normalize(expected) == reference([stream])


def test_mixed_line_ends_in_one_stream() -> None:
    stream = b"data: a\rdata: b\ndata: c\r\n\r\ndata: d\n\r"
    assert decode([stream]) == [
        ServerSentEvent("message", b"a\nb\nc", None, None),
        ServerSentEvent("message", b"d", None, None),
    ]


def test_cr_at_the_end_of_a_chunk_and_lf_at_the_start_of_the_next_are_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    # Were the LF a second line end, it would be a blank line dispatching "a" alone.
    assert decoder.feed(b"\ndata: b\r\n\r\n") == [ServerSentEvent("message", b"a\nb", None, None)]


def test_cr_then_chunk_starting_with_cr_is_two_line_ends() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\rdata: b\r\r") == [
        ServerSentEvent("message", b"a", None, None),
        ServerSentEvent("message", b"b", None, None),
    ]


def test_lone_lf_chunk_after_cr_is_consumed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\r\n") == [ServerSentEvent("message", b"a", None, None)]


def test_empty_chunk_between_cr_and_lf_keeps_them_one_line_end() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: a\r") + decoder.feed(b"") + decoder.feed(b"\ndata: b\r\n\r\n")
    assert events == [ServerSentEvent("message", b"a\nb", None, None)]


def test_empty_chunks_are_harmless_elsewhere() -> None:
    decoder = SSEDecoder()
    events = []
    for chunk in (b"", b"data: x", b"", b"y\n", b"", b"\n", b""):
        events += decoder.feed(chunk)
    assert events == [ServerSentEvent("message", b"xy", None, None)]


# Fields


def test_multiline_data_is_joined_with_lf() -> None:
    assert decode([b'data: {\ndata: "a": 1\ndata: }\n\n']) == [
        ServerSentEvent("message", b'{\n"a": 1\n}', None, None)
    ]


def test_empty_data_lines_keep_their_place() -> None:
    assert decode([b"data:\ndata:\n\n"]) == [ServerSentEvent("message", b"\n", None, None)]
    assert decode([b"data\n\n"]) == [ServerSentEvent("message", b"", None, None)]


def test_event_without_data_has_none() -> None:
    assert decode([b"event: end\n\n"]) == [ServerSentEvent("end", None, None, None)]


def test_comments_are_ignored_even_inside_an_event() -> None:
    stream = b": heartbeat\n\ndata: 1\n: in between\ndata: 2\n\n:\n\n"
    assert decode([stream]) == [ServerSentEvent("message", b"1\n2", None, None)]


def test_colon_without_space_and_only_one_space_stripped() -> None:
    assert decode([b"event:update\ndata:x\n\n", b"data:  two spaces\n\n"]) == [
        ServerSentEvent("update", b"x", None, None),
        ServerSentEvent("message", b" two spaces", None, None),
    ]


def test_value_may_contain_colons() -> None:
    assert decode([b'event: updates|agent:1f2\ndata: {"a":"b:c"}\n\n']) == [
        ServerSentEvent("updates|agent:1f2", b'{"a":"b:c"}', None, None)
    ]


def test_field_name_without_colon_has_empty_value() -> None:
    # "event" alone names no event: the default "message" applies.
    assert decode([b"event\ndata\n\n"]) == [ServerSentEvent("message", b"", None, None)]


def test_unknown_fields_are_ignored() -> None:
    assert decode([b"foo: bar\nDATA: x\ndata : y\n\n"]) == []
    assert decode([b"foo: bar\ndata: 1\n\n"]) == [ServerSentEvent("message", b"1", None, None)]


def test_id_persists_across_events() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1-0\ndata: a\n\ndata: b\n\nid: 2-0\ndata: c\n\n")
    assert [e.id for e in events] == ["1-0", "1-0", "2-0"]
    assert decoder.last_event_id == "2-0"


def test_id_with_nul_is_ignored() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")
    assert [e.id for e in events] == ["1", "1"]
    assert decoder.last_event_id == "1"


def test_empty_id_resets_the_last_id() -> None:
    events = decode([b"id: 7\ndata: a\n\nid\ndata: b\n\n"])
    assert [e.id for e in events] == ["7", ""]


def test_id_can_come_after_data() -> None:
    # The server writes `event`, `data`, then `id` (resumable streams).
    assert decode([b"event: values\r\ndata: 1\r\nid: 1700000000000-0\r\n\r\n"]) == [
        ServerSentEvent("values", b"1", "1700000000000-0", None)
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"retry: 1500", 1500),
        (b"retry:0", 0),
        (b"retry: 15x", None),
        (b"retry: -1", None),
        (b"retry: +5", None),
        (b"retry: 1.5", None),
        (b"retry: 1_000", None),
        (b"retry: ", None),
        (b"retry: \xd9\xa3", None),  # ARABIC-INDIC DIGIT THREE: a digit to str.isdigit, not SSE
    ],
)
def test_retry_accepts_ascii_digits_only(line: bytes, expected: int | None) -> None:
    assert decode([line + b"\ndata: x\n\n"]) == [ServerSentEvent("message", b"x", None, expected)]


def test_retry_applies_to_its_event_only() -> None:
    events = decode([b"retry: 10\ndata: a\n\ndata: b\n\n"])
    assert [e.retry for e in events] == [10, None]


def test_retry_with_thousands_of_digits_is_not_a_raw_value_error() -> None:
    # int() refuses over 4300 digits with a bare ValueError; that must not escape.
    events: list[ServerSentEvent] = []
    with contextlib.suppress(SSEDecodeError):
        events = decode([b"retry: " + b"9" * 5000 + b"\ndata: x\n\n"])
    assert events in ([], [ServerSentEvent("message", b"x", None, None)])


# Unicode separators and control characters


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"], ids=["u2028", "u2029", "nel"])
def test_unicode_line_separators_inside_json_data_are_data(sep: str) -> None:
    payload = json.dumps({"text": f"one{sep}two"}, ensure_ascii=False)
    stream = f"event: values\r\ndata: {payload}\r\n\r\n".encode()
    assert sep in payload  # the separator really is in the bytes on the wire
    # httpx's text line splitter (str.splitlines) would cut the JSON here...
    assert len(LineDecoder().decode(stream.decode())) > 3
    # ...but SSE lines end only at CR and LF.
    expected = [ServerSentEvent("values", payload.encode(), None, None)]
    assert decode([stream]) == expected
    assert decode([stream[i : i + 1] for i in range(len(stream))]) == expected
    assert json.loads(expected[0].data or b"") == {"text": f"one{sep}two"}
    assert normalize(expected) == reference([stream])


@pytest.mark.parametrize("sep", [b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e"])
def test_ascii_separators_other_than_cr_and_lf_are_data(sep: bytes) -> None:
    # str.splitlines() splits on these too; SSE (and bytes.splitlines) does not.
    stream = b"event: a" + sep + b"b\ndata: 1" + sep + b"2\n\n"
    assert len(stream.decode().splitlines()) > 3
    expected = [ServerSentEvent("a" + sep.decode() + "b", b"1" + sep + b"2", None, None)]
    assert decode([stream]) == expected
    assert decode([stream[i : i + 1] for i in range(len(stream))]) == expected
    assert normalize(expected) == reference([stream])


def test_multibyte_characters_split_across_chunks() -> None:
    stream = 'event: é\ndata: "日本\u2028語"\n\n'.encode()
    expected = decode([stream])
    assert expected == [ServerSentEvent("é", '"日本\u2028語"'.encode(), None, None)]
    for k in range(len(stream) + 1):
        assert split2(stream, k) == expected


def test_data_bytes_are_passed_through_undecoded() -> None:
    # data stays bytes: invalid UTF-8 there is the JSON decoder's business, not SSE's.
    assert decode([b"data: \xff\xfe\n\n"]) == [ServerSentEvent("message", b"\xff\xfe", None, None)]


@pytest.mark.parametrize(
    "stream",
    [b"event: \xff\xfe\ndata: 1\n\n", b"id: \xc3\x28\ndata: 1\n\n"],
    ids=["event", "id"],
)
def test_invalid_utf8_in_event_or_id_raises(stream: bytes) -> None:
    with pytest.raises(SSEDecodeError, match="UTF-8"):
        decode([stream])


# flush


def test_flush_dispatches_a_final_event_without_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: end\ndata: 1\n") == []
    assert decoder.flush() == [ServerSentEvent("end", b"1", None, None)]
    assert decoder.flush() == []


def test_flush_completes_a_final_line_without_its_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\n\ndata: 2") == [ServerSentEvent("message", b"1", None, None)]
    assert decoder.flush() == [ServerSentEvent("message", b"2", None, None)]


def test_flush_after_cr_does_not_duplicate() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\r") == []
    assert decoder.flush() == [ServerSentEvent("message", b"1", None, None)]


def test_flush_of_nothing_or_a_comment_is_empty() -> None:
    assert SSEDecoder().flush() == []
    decoder = SSEDecoder()
    assert decoder.feed(b": heartbeat") == []
    assert decoder.flush() == []


# The two deliberate differences from httpx-sse


def test_id_only_block_updates_the_id_but_dispatches_nothing() -> None:
    stream = b"id: 5\n\ndata: a\n\n"
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\n\n") == []
    assert decoder.last_event_id == "5"
    assert decoder.feed(b"data: a\n\n") == [ServerSentEvent("message", b"a", "5", None)]
    # httpx-sse emits an empty "message" for the id-only block.
    assert reference([stream]) == [("message", "", "5", None), ("message", "a", "5", None)]


def test_retry_only_block_dispatches_nothing() -> None:
    stream = b"retry: 3000\n\ndata: a\n\n"
    events = decode([stream])
    assert [(e.event, e.data) for e in events] == [("message", b"a")]
    assert reference([stream])[0] == ("message", "", "", 3000)


def test_blank_line_after_a_heartbeat_dispatches_nothing_even_with_an_id() -> None:
    stream = b"id: 1-0\ndata: a\n\n: heartbeat\n\n: heartbeat\n\ndata: b\n\n"
    assert [e.data for e in decode([stream])] == [b"a", b"b"]
    # httpx-sse dispatches an empty event per heartbeat once an id has been seen.
    assert [e[1] for e in reference([stream])] == ["a", "", "", "b"]


# Limits


def test_data_line_over_the_limit_split_before_its_end_raises() -> None:
    with pytest.raises(SSEDecodeError):
        decode([b"data: " + b"x" * 1000, b"\n\n"], max_event_bytes=100)


def test_line_over_the_limit_in_many_small_chunks_raises_before_the_line_ends() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    chunk = b"x" * 10
    decoder.feed(b"data: ")
    with pytest.raises(SSEDecodeError):
        for _ in range(1000):  # never a line end: the limit alone must stop it
            decoder.feed(chunk)


def test_data_lines_adding_up_over_the_limit_across_chunks_raise() -> None:
    line = b"data: " + b"x" * 40 + b"\n"
    with pytest.raises(SSEDecodeError):
        decode([line] * 5 + [b"\n"], max_event_bytes=100)


def test_data_line_over_the_limit_in_one_chunk_raises() -> None:
    with pytest.raises(SSEDecodeError):
        decode([b"data: " + b"x" * 1000 + b"\n\n"], max_event_bytes=100)


def test_data_lines_adding_up_over_the_limit_in_one_chunk_raise() -> None:
    line = b"data: " + b"x" * 40 + b"\n"
    with pytest.raises(SSEDecodeError):
        decode([line * 5 + b"\n"], max_event_bytes=100)


def test_over_long_event_line_raises_however_it_is_chunked() -> None:
    stream = b"event: " + b"x" * 1000 + b"\ndata: 1\n\n"
    with pytest.raises(SSEDecodeError):
        decode([stream[i : i + 10] for i in range(0, len(stream), 10)], max_event_bytes=100)
    with pytest.raises(SSEDecodeError):
        decode([stream], max_event_bytes=100)


def test_events_under_the_limit_each_pass_even_if_the_stream_is_longer() -> None:
    event = b"data: " + b"x" * 60 + b"\n\n"
    assert len(decode([event * 50], max_event_bytes=100)) == 50
    assert len(decode([event] * 50, max_event_bytes=100)) == 50


def test_event_over_the_limit_completing_in_a_small_chunk_raises() -> None:
    line = b"data: " + b"x" * 90 + b"\n"  # 97 bytes: every chunk is under the limit of 100
    with pytest.raises(SSEDecodeError):
        decode([line, line + b"\n"], max_event_bytes=100)


def test_size_limit_outcome_does_not_depend_on_chunking_far_from_the_margin() -> None:
    # 10 x 20 data bytes against a limit of 100: over by 2x whatever the chunking.
    stream = (b"data: " + b"x" * 20 + b"\n") * 10 + b"\n"
    for size in (1, 7, 27, 64, 99, 100, 101, 500, len(stream)):
        chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
        with pytest.raises(SSEDecodeError):
            decode(chunks, max_event_bytes=100)


def _feed_within(decoder: SSEDecoder, chunks: Iterable[bytes], budget: float) -> int:
    """Feed chunks, failing as soon as `budget` seconds are spent (so a slow decoder fails
    fast instead of running for minutes). Returns the number of events."""
    start = time.perf_counter()
    count = 0
    for i, chunk in enumerate(chunks):
        count += len(decoder.feed(chunk))
        if i % 256 == 0:
            assert time.perf_counter() - start < budget, f"too slow after {i} chunks"
    count += len(decoder.flush())
    assert time.perf_counter() - start < budget
    return count


def test_five_megabyte_line_in_one_kilobyte_chunks_is_linear() -> None:
    line = b"data: " + b"x" * 5_000_000 + b"\n\n"
    chunks = (line[i : i + 1024] for i in range(0, len(line), 1024))
    decoder = SSEDecoder()
    assert _feed_within(decoder, chunks, budget=2.0) == 1


def test_five_megabyte_line_over_the_limit_stops_early() -> None:
    decoder = SSEDecoder(max_event_bytes=1_000_000)
    line = b"data: " + b"x" * 5_000_000
    with pytest.raises(SSEDecodeError):
        _feed_within(decoder, (line[i : i + 1024] for i in range(0, len(line), 1024)), 2.0)


def test_event_with_many_data_lines_in_small_chunks_is_linear() -> None:
    # 20,000 one-byte data lines (160 KB): about 20 ms when linear, many seconds when not.
    chunks = [b"data: x\n"] * 20_000 + [b"\n"]
    assert _feed_within(SSEDecoder(), chunks, budget=0.5) == 1


BOM = b"\xef\xbb\xbf"


def test_a_leading_bom_is_stripped_however_it_is_split() -> None:
    # The SSE spec decodes the stream as UTF-8 and drops one leading BOM; left in, it would
    # turn the first field name into "\ufeffevent" and silently lose the first event.
    body = BOM + b"event: values\ndata: 1\n\n"
    for k in range(len(body) + 1):
        assert split2(body, k) == [ServerSentEvent("values", b"1", None, None)], k
    assert decode([body[i : i + 1] for i in range(len(body))]) == split2(body, 0)


def test_only_one_bom_and_only_at_the_start_is_stripped() -> None:
    assert decode([BOM + BOM + b"data: 1\n\n"]) == []  # "\ufeffdata" is an unknown field
    assert decode([b"data: 1\n\n" + BOM + b"data: 2\n\n"]) == [
        ServerSentEvent("message", b"1", None, None)
    ]


def test_a_stream_that_is_only_part_of_a_bom_is_not_an_event() -> None:
    for body in (BOM[:1], BOM[:2], BOM):
        assert decode([body]) == []
    assert decode([BOM[:2], b"data: 1\n\n"]) == []  # not a BOM: bytes of an unknown field


# The one-pass decoder (`PartDecoder`): which events take the fast path, and stopping.


class Part(NamedTuple):
    event: str
    data: object
    id: str | None


def part_decoder(seen: list[ServerSentEvent], stop_at: str = "") -> PartDecoder[Part]:
    def general(event: ServerSentEvent, out: list[Part]) -> bool:
        seen.append(event)
        out.append(Part(event.event, json.loads(event.data or b"null"), event.id))
        return event.event == stop_at

    return PartDecoder(Part, json.loads, general, special=("metadata", "error"))


def test_the_capture_takes_the_fast_path_except_special_and_first_seen_names(
    capture: bytes, capture_events: list[ServerSentEvent]
) -> None:
    seen: list[ServerSentEvent] = []
    decoder = part_decoder(seen)
    parts = decoder.feed(capture) + decoder.flush()
    assert parts == [Part(e.event, json.loads(e.data or b""), None) for e in capture_events]
    names = {e.event for e in capture_events} - {"metadata", "error"}
    specials = [e for e in capture_events if e.event in ("metadata", "error")]
    assert len(seen) == len(specials) + len(names) < len(capture_events) / 2


def test_rare_events_go_the_general_way() -> None:
    rare = [
        b"event: metadata\ndata: {}\n\n",
        b"event: error\ndata: {}\n\n",
        b"event: v\ndata: 1\ndata: 2\n\n",  # multi-line data (not JSON when joined: hook's call)
        b"event: v\nretry: 5\ndata: 1\n\n",
        b"event: v\n\n",  # no data
        b"event: v\ndata: {\n\n",  # not JSON
    ]
    for body in rare:
        seen: list[ServerSentEvent] = []
        decoder = part_decoder(seen)
        decoder.feed(b"event: v\ndata: 0\n\n")  # caches the name `v`
        seen.clear()
        with contextlib.suppress(ValueError):
            decoder.feed(body)
        assert len(seen) == 1, body
    seen = []
    decoder = part_decoder(seen)
    decoder.feed(b"event: v\ndata: 0\n\n")
    seen.clear()
    # An id is kept across events: every later event carries it, so all go the general way.
    assert decoder.feed(b"id: 7\n\nevent: v\ndata: 1\n\nevent: v\ndata: 2\n\n") == [
        Part("v", 1, "7"),
        Part("v", 2, "7"),
    ]
    assert len(seen) == 2


def test_a_true_hook_result_stops_the_stream_after_that_event() -> None:
    seen: list[ServerSentEvent] = []
    decoder = part_decoder(seen, stop_at="error")
    body = b"event: v\ndata: 1\n\nevent: error\ndata: 2\n\nevent: v\ndata: 3\n\n"
    assert decoder.feed(body) == [Part("v", 1, None), Part("error", 2, None)]
    assert decoder.feed(b"event: v\ndata: 4\n\n") == []
    assert decoder.flush() == []


# A bad event fails the stream only after the good events before it, however the bytes were
# chunked (with one chunk holding both, those events were lost).

GOOD_EVENT = b"event: v\ndata: 1\n\n"


@pytest.mark.parametrize(
    "bad",
    [b"event: v\ndata: {\n\n", b"event: v\xff\ndata: 1\n\n", b"data: " + b"x" * 300 + b"\n\n"],
    ids=["not-json", "bad-utf8-name", "oversized"],
)
def test_parts_before_a_bad_event_in_the_same_chunk_are_delivered_first(bad: bytes) -> None:
    seen: list[ServerSentEvent] = []

    def general(event: ServerSentEvent, out: list[Part]) -> None:
        seen.append(event)
        out.append(Part(event.event, json.loads(event.data or b"null"), event.id))

    decoder = PartDecoder(Part, json.loads, general, max_event_bytes=256)
    assert decoder.feed(GOOD_EVENT + GOOD_EVENT + bad + GOOD_EVENT) == [Part("v", 1, None)] * 2
    with pytest.raises(ValueError):
        decoder.feed(GOOD_EVENT)
    with pytest.raises(ValueError):
        PartDecoder(Part, json.loads, general, max_event_bytes=256).feed(bad)  # alone: at once


async def test_a_run_stream_delivers_the_parts_before_a_bad_event_in_the_same_chunk() -> None:
    import httpx

    from langgraph_client import APIResponseValidationError, get_client

    from .conftest import BASE_URL, SSE_HEADERS

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE_HEADERS, content=GOOD_EVENT + b"data: {\n\n")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = get_client(url=BASE_URL, api_key=None, max_retries=0, http_client=http)
        got = []
        with pytest.raises(APIResponseValidationError, match="not JSON"):
            async for part in client.runs.stream(None, "agent"):
                got.append(part)
    assert got == [("v", 1, None)]
