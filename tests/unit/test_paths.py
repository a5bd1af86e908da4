"""Ids in paths stay one segment whatever they hold; run ids read back from Content-Location."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from langgraph_client._paths import parse_run_location, path

from .conftest import MockFactory

HOSTILE = [
    "../x",
    "a/b",
    "%2e%2e",
    ".",
    "..",
    "...",
    "?q",
    "#f",
    "a b",
    " x ",
    "é/ü",
    "日本",
    "a;b",
    "a=b&c",
    "\\..\\x",
    "x\r\ny",
    "a%2Fb",
    "tab\there",
    "+plus",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_id_stays_one_segment(value: str) -> None:
    built = path("/threads/{}/runs", value)
    empty, threads, segment, runs = built.split("/")
    assert (empty, threads, runs) == ("", "threads", "runs"), built
    assert unquote(segment) == value  # the server decodes exactly the id
    assert segment not in (".", "..")
    assert all(c.isascii() and c.isprintable() and c not in "?# " for c in segment)


@pytest.mark.parametrize("value", HOSTILE)
async def test_transport_sees_the_encoded_raw_path(mock: MockFactory, value: str) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json={}))
    await client.runs.get(value, "r-1")
    raw = requests[0].url.raw_path
    assert raw == f"/threads/{path('{}', value)}/runs/r-1".encode()
    segments = raw.decode().split("/")
    assert len(segments) == 5
    assert unquote(segments[2]) == value
    assert requests[0].url.query == b""  # "?q" did not become a query
    assert requests[0].url.fragment == ""  # "#f" did not become a fragment


async def test_dot_segments_are_not_resolved_by_httpx(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json={}))
    await client.runs.get("..", "..")
    assert requests[0].url.raw_path == b"/threads/%2E%2E/runs/%2E%2E"


@pytest.mark.parametrize("value", [None, ""])
def test_missing_id_is_a_value_error(value: Any) -> None:
    with pytest.raises(ValueError, match="id"):
        path("/threads/{}", value)


def test_whitespace_only_id_is_treated_as_missing() -> None:
    with pytest.raises(ValueError):
        path("/threads/{}", "   ")


async def test_missing_id_fails_before_any_request(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json={}))
    with pytest.raises(ValueError):
        await client.runs.get("", "r")
    with pytest.raises(ValueError):
        await client.runs.get("t", None)  # type: ignore[arg-type]
    assert requests == []


def test_non_string_ids_are_stringified() -> None:
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert path("/threads/{}/runs/{}", uid, 7) == f"/threads/{uid}/runs/7"


def test_several_ids_fill_in_order() -> None:
    assert path("/threads/{}/runs/{}/join", "t/1", "r?2") == "/threads/t%2F1/runs/r%3F2/join"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/threads/T/runs/R", ("R", "T")),
        ("/runs/R", ("R", None)),
        ("/threads/T/runs/R/stream", ("R", "T")),
        ("/threads/T/runs/R/join", ("R", "T")),
        ("/runs/R/stream", ("R", None)),
        ("http://h:8123/threads/T/runs/R", ("R", "T")),
        ("https://h/prefix/api/threads/T/runs/R/stream?x=1#f", ("R", "T")),
        ("/threads/a%2Fb/runs/r%3Fc", ("r?c", "a/b")),
        ("/threads/%E6%97%A5/runs/R", ("R", "日")),
        ("/threads//runs/R", ("R", None)),
        ("/threads/T/runs/R/", ("R", "T")),
    ],
)
def test_parse_run_location(location: str, expected: tuple[str, str | None]) -> None:
    run_id, thread_id = expected
    assert parse_run_location(location) == {"run_id": run_id, "thread_id": thread_id}


@pytest.mark.parametrize(
    "location",
    [
        None,
        "",
        "/",
        "/threads/T",
        "/threads/T/runs",
        "/threads/T/runs/",
        "/runs/stream",
        "/runs/wait",
        "/threads/T/runs/stream",
        "/assistants/A",
        "not a url",
    ],
)
def test_parse_run_location_without_a_run(location: str | None) -> None:
    assert parse_run_location(location) is None


def test_round_trip_of_hostile_ids() -> None:
    for thread_id in HOSTILE:
        for run_id in ("R", "r/1", "%41"):
            location = path("/threads/{}/runs/{}/stream", thread_id, run_id)
            assert parse_run_location(location) == {"run_id": run_id, "thread_id": thread_id}
