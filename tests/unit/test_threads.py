"""`client.threads`: the exact request each method sends, and what comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from langgraph_client import APIStatusError, RunStream, StreamPart
from tests.clients import StreamView
from tests.faultserver import SSEEvent, replay

from .conftest import (
    HOSTILE_IDS,
    MockFactory,
    RecordingStream,
    answer,
    body,
    flaky,
    query,
    raw_path,
    sse,
    sse_response,
)

pytestmark = pytest.mark.both_clients

THREAD: dict[str, Any] = {
    "thread_id": "t1",
    "created_at": "2025-01-01T00:00:00+00:00",
    "updated_at": "2025-01-01T00:00:00+00:00",
    "metadata": {},
    "status": "idle",
}
STATE: dict[str, Any] = {
    "values": {"x": 1},
    "next": [],
    "checkpoint": {"checkpoint_id": "c1"},
    "tasks": [],
}

HOSTILE = [*HOSTILE_IDS, ("a?b#c", "a%3Fb%23c")]


# create


async def test_create_minimal(mock: MockFactory) -> None:
    client, calls = mock(answer(THREAD))
    assert await client.threads.create() == THREAD
    (request,) = calls
    assert (request.method, raw_path(request), query(request)) == ("POST", "/threads", {})
    assert body(request) == {}


async def test_create_with_everything(mock: MockFactory) -> None:
    client, calls = mock(answer(THREAD))
    supersteps = [{"updates": [{"values": {"x": 1}, "as_node": "prepare"}]}]
    await client.threads.create(
        metadata={"user": "u1"},
        thread_id="t1",
        if_exists="do_nothing",
        supersteps=supersteps,
        graph_id="agent",
        ttl=30,
        params={"trace": "1"},
        headers={"x-extra": "yes"},
    )
    (request,) = calls
    assert body(request) == {
        "thread_id": "t1",
        "metadata": {"user": "u1", "graph_id": "agent"},
        "if_exists": "do_nothing",
        "supersteps": supersteps,
        "ttl": {"ttl": 30},
    }
    assert query(request) == {"trace": "1"}
    assert request.headers["x-extra"] == "yes"


async def test_create_ttl_mapping_passes_through(mock: MockFactory) -> None:
    client, calls = mock(answer(THREAD), max_retries=2)
    await client.threads.create(ttl={"ttl": 5, "strategy": "keep_latest"})
    assert body(calls[0]) == {"ttl": {"ttl": 5, "strategy": "keep_latest"}}


async def test_idempotent_create_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky(THREAD), max_retries=2)
    assert await client.threads.create(thread_id="t1", if_exists="do_nothing") == THREAD
    assert len(calls) == 2


async def test_plain_create_is_not_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky(THREAD), max_retries=2)
    with pytest.raises(APIStatusError):
        await client.threads.create(metadata={"a": 1})
    assert len(calls) == 1


# get / update / delete / copy


async def test_get(mock: MockFactory) -> None:
    client, calls = mock(answer(THREAD))
    assert await client.threads.get("t1") == THREAD
    (request,) = calls
    assert (request.method, raw_path(request), query(request)) == ("GET", "/threads/t1", {})
    assert request.content == b""


async def test_get_include(mock: MockFactory) -> None:
    client, calls = mock(answer(THREAD))
    await client.threads.get("t1", include=["ttl", "other"])
    assert query(calls[0]) == {"include": "ttl,other"}


@pytest.mark.parametrize(("thread_id", "encoded"), HOSTILE)
async def test_get_keeps_a_hostile_id_in_one_segment(
    mock: MockFactory, thread_id: str, encoded: str
) -> None:
    client, calls = mock(answer(THREAD))
    await client.threads.get(thread_id)
    assert raw_path(calls[0]) == f"/threads/{encoded}"
    assert query(calls[0]) == {}


@pytest.mark.parametrize("bad", [None, "", "  "])
async def test_missing_ids_fail_before_any_request(mock: MockFactory, bad: Any) -> None:
    client, calls = mock(answer(THREAD))
    threads = client.threads
    attempts: list[Callable[[], Any]] = [
        lambda: threads.get(bad),
        lambda: threads.update(bad, metadata={}),
        lambda: threads.delete(bad),
        lambda: threads.copy(bad),
        lambda: threads.get_state(bad),
        lambda: threads.get_state(bad, checkpoint_id="c1"),
        lambda: threads.get_state(bad, {"checkpoint_id": "c1"}),
        lambda: threads.update_state(bad, {"x": 1}),
        lambda: threads.get_history(bad),
        lambda: threads.join_stream(bad),
    ]
    if bad is not None:  # a checkpoint_id of None means "the latest state"
        attempts.append(lambda: threads.get_state("t1", checkpoint_id=bad))
    for attempt in attempts:
        with pytest.raises(ValueError, match="id"):
            await attempt()
    assert calls == []


async def test_update(mock: MockFactory) -> None:
    client, calls = mock(answer(THREAD))
    assert await client.threads.update("t1", metadata={"a": 1}, ttl=10) == THREAD
    (request,) = calls
    assert (request.method, raw_path(request)) == ("PATCH", "/threads/t1")
    assert body(request) == {"metadata": {"a": 1}, "ttl": {"ttl": 10}}
    assert "prefer" not in request.headers


async def test_update_return_minimal(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    assert await client.threads.update("t1", metadata={"a": 1}, return_minimal=True) is None
    assert calls[0].headers["prefer"] == "return=minimal"


async def test_delete(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    await client.threads.delete("t1")
    (request,) = calls
    assert (request.method, raw_path(request), request.content) == ("DELETE", "/threads/t1", b"")


async def test_copy(mock: MockFactory) -> None:
    client, calls = mock(answer({**THREAD, "thread_id": "t2"}))
    copied = await client.threads.copy("t1")
    assert copied["thread_id"] == "t2"
    (request,) = calls
    assert (request.method, raw_path(request), request.content) == ("POST", "/threads/t1/copy", b"")


# search / count / prune


async def test_search_defaults(mock: MockFactory) -> None:
    client, calls = mock(answer([THREAD]))
    assert await client.threads.search() == [THREAD]
    (request,) = calls
    assert (request.method, raw_path(request)) == ("POST", "/threads/search")
    assert body(request) == {"limit": 10, "offset": 0}


async def test_search_with_everything(mock: MockFactory) -> None:
    client, calls = mock(answer([]))
    await client.threads.search(
        metadata={"user": "u1"},
        values={"x": 1},
        ids=("t1", "t2"),
        status="busy",
        limit=5,
        offset=20,
        sort_by="created_at",
        sort_order="asc",
        select=["thread_id", "status"],
        extract={"last": "values.messages[-1]"},
    )
    assert body(calls[0]) == {
        "metadata": {"user": "u1"},
        "values": {"x": 1},
        "ids": ["t1", "t2"],
        "status": "busy",
        "limit": 5,
        "offset": 20,
        "sort_by": "created_at",
        "sort_order": "asc",
        "select": ["thread_id", "status"],
        "extract": {"last": "values.messages[-1]"},
    }


async def test_search_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky([THREAD]), max_retries=2)
    assert await client.threads.search() == [THREAD]
    assert len(calls) == 2


async def test_count(mock: MockFactory) -> None:
    client, calls = mock(answer(7))
    assert await client.threads.count(status="idle", metadata={"a": 1}) == 7
    (request,) = calls
    assert (request.method, raw_path(request)) == ("POST", "/threads/count")
    assert body(request) == {"metadata": {"a": 1}, "status": "idle"}


async def test_count_without_filters(mock: MockFactory) -> None:
    client, calls = mock(answer(0))
    assert await client.threads.count() == 0
    assert body(calls[0]) == {}


async def test_prune(mock: MockFactory) -> None:
    client, calls = mock(answer({"pruned_count": 2}))
    assert await client.threads.prune(["t1", "t2"], strategy="keep_latest") == {"pruned_count": 2}
    (request,) = calls
    assert (request.method, raw_path(request)) == ("POST", "/threads/prune")
    assert body(request) == {"thread_ids": ["t1", "t2"], "strategy": "keep_latest"}


async def test_prune_refuses_a_single_string(mock: MockFactory) -> None:
    client, calls = mock(answer({"pruned_count": 0}))
    with pytest.raises(TypeError):
        await client.threads.prune("t1")
    assert calls == []


# state and history


async def test_get_state_latest(mock: MockFactory) -> None:
    client, calls = mock(answer(STATE))
    assert await client.threads.get_state("t1") == STATE
    (request,) = calls
    assert (request.method, raw_path(request), query(request)) == ("GET", "/threads/t1/state", {})


async def test_get_state_with_subgraphs(mock: MockFactory) -> None:
    client, calls = mock(answer(STATE))
    await client.threads.get_state("t1", subgraphs=True)
    assert query(calls[0]) == {"subgraphs": "true"}


async def test_get_state_at_checkpoint_id(mock: MockFactory) -> None:
    client, calls = mock(answer(STATE))
    await client.threads.get_state("t1", checkpoint_id="c1", subgraphs=True)
    (request,) = calls
    assert (request.method, raw_path(request)) == ("GET", "/threads/t1/state/c1")
    assert query(request) == {"subgraphs": "true"}


async def test_get_state_checkpoint_id_positional(mock: MockFactory) -> None:
    client, calls = mock(answer(STATE))
    await client.threads.get_state("t1", None, "c1")
    assert raw_path(calls[0]) == "/threads/t1/state/c1"


@pytest.mark.parametrize(("hostile", "encoded"), HOSTILE)
async def test_get_state_keeps_hostile_ids_in_their_segments(
    mock: MockFactory, hostile: str, encoded: str
) -> None:
    client, calls = mock(answer(STATE))
    await client.threads.get_state(hostile)
    await client.threads.get_state("t1", checkpoint_id=hostile)
    await client.threads.get_state(hostile, checkpoint_id=hostile)
    assert [raw_path(r) for r in calls] == [
        f"/threads/{encoded}/state",
        f"/threads/t1/state/{encoded}",
        f"/threads/{encoded}/state/{encoded}",
    ]


async def test_get_state_at_checkpoint_dict(mock: MockFactory) -> None:
    client, calls = mock(answer(STATE))
    checkpoint = {"checkpoint_id": "c1", "checkpoint_ns": "inner:1"}
    await client.threads.get_state("t1", checkpoint, subgraphs=True)  # type: ignore[arg-type]
    (request,) = calls
    assert (request.method, raw_path(request)) == ("POST", "/threads/t1/state/checkpoint")
    assert body(request) == {"checkpoint": checkpoint, "subgraphs": True}


async def test_get_state_checkpoint_dict_takes_checkpoint_id_too(mock: MockFactory) -> None:
    client, calls = mock(answer(STATE))
    await client.threads.get_state("t1", {"checkpoint_ns": ""}, "c1")
    assert body(calls[0]) == {"checkpoint": {"checkpoint_id": "c1", "checkpoint_ns": ""}}


async def test_update_state(mock: MockFactory) -> None:
    reply = {"checkpoint": {"checkpoint_id": "c2"}}
    client, calls = mock(answer(reply))
    assert await client.threads.update_state("t1", {"x": 2}, as_node="prepare") == reply
    (request,) = calls
    assert (request.method, raw_path(request)) == ("POST", "/threads/t1/state")
    assert body(request) == {"values": {"x": 2}, "as_node": "prepare"}


async def test_update_state_sends_null_values_and_checkpoint(mock: MockFactory) -> None:
    client, calls = mock(answer({"checkpoint": {}}))
    await client.threads.update_state("t1", None, checkpoint_id="c1")
    assert body(calls[0]) == {"values": None, "checkpoint": {"checkpoint_id": "c1"}}


async def test_update_state_is_not_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky({"checkpoint": {}}), max_retries=2)
    with pytest.raises(APIStatusError):
        await client.threads.update_state("t1", {"x": 1})
    assert len(calls) == 1


async def test_get_history_defaults(mock: MockFactory) -> None:
    client, calls = mock(answer([STATE]))
    assert await client.threads.get_history("t1") == [STATE]
    (request,) = calls
    assert (request.method, raw_path(request)) == ("POST", "/threads/t1/history")
    assert body(request) == {"limit": 10}


async def test_get_history_with_everything(mock: MockFactory) -> None:
    client, calls = mock(answer([]))
    await client.threads.get_history(
        "t1",
        limit=3,
        before="c9",
        metadata={"step": 1},
        checkpoint={"checkpoint_ns": ""},
        select=["values"],
    )
    assert body(calls[0]) == {
        "limit": 3,
        "before": {"checkpoint_id": "c9", "configurable": {"checkpoint_id": "c9"}},
        "metadata": {"step": 1},
        "checkpoint": {"checkpoint_ns": ""},
        "select": ["values"],
    }


async def test_get_history_before_a_checkpoint_dict(mock: MockFactory) -> None:
    client, calls = mock(answer([]))
    await client.threads.get_history("t1", before={"checkpoint_id": "c9", "checkpoint_ns": ""})
    fields = {"checkpoint_id": "c9", "checkpoint_ns": ""}
    assert body(calls[0])["before"] == {**fields, "configurable": fields}


# join_stream

METADATA = sse("metadata", {"run_id": "r1", "attempt": 1}, id="1-0")
VALUES = sse("values", {"x": 1}, id="2-0")


async def test_join_stream_request_and_parts(mock: MockFactory) -> None:
    client, calls = mock(lambda r: sse_response(METADATA, VALUES))
    stream = await client.threads.join_stream("t1")
    assert isinstance(stream, (RunStream, StreamView))  # awaiting gives the stream itself
    async with stream:
        parts = [part async for part in stream]
    assert parts == [
        StreamPart("metadata", {"run_id": "r1", "attempt": 1}, "1-0"),
        StreamPart("values", {"x": 1}, "2-0"),
    ]
    (request,) = calls
    assert (request.method, raw_path(request)) == ("GET", "/threads/t1/stream")
    assert query(request) == {"stream_modes": "run_modes"}
    assert request.headers["accept"] == "text/event-stream"
    assert "last-event-id" not in request.headers
    assert stream.thread_id == "t1"
    assert stream.last_event_id == "2-0"


async def test_join_stream_modes_and_last_event_id(mock: MockFactory) -> None:
    client, calls = mock(lambda r: sse_response())
    stream = await client.threads.join_stream(
        "t1", last_event_id="5-0", stream_mode=["lifecycle", "state_update"]
    )
    assert [part async for part in stream] == []
    (request,) = calls
    assert query(request) == {"stream_modes": "lifecycle,state_update"}
    assert request.headers["last-event-id"] == "5-0"


async def test_join_stream_closes_the_response_on_exit(mock: MockFactory) -> None:
    body = RecordingStream([METADATA, VALUES], hold=True)
    client, _ = mock(lambda r: sse_response(stream=body))
    async with await client.threads.join_stream("t1") as stream:
        async for _part in stream:
            break
    assert body.closed


@pytest.mark.parametrize(("thread_id", "encoded"), HOSTILE)
async def test_join_stream_hostile_id(mock: MockFactory, thread_id: str, encoded: str) -> None:
    client, calls = mock(lambda r: sse_response())
    async with await client.threads.join_stream(thread_id) as stream:
        assert [part async for part in stream] == []
    assert raw_path(calls[0]) == f"/threads/{encoded}/stream"


async def test_join_stream_resumes_after_the_last_event(
    mock: MockFactory, no_retry_delay: None
) -> None:
    everything = [
        SSEEvent("metadata", {"run_id": "r1", "attempt": 1}, "1-0"),
        SSEEvent("values", {"x": 1}, "2-0"),
        SSEEvent("values", {"x": 2}, "3-0"),
    ]

    def reply(request: httpx.Request) -> httpx.Response:
        if len(calls) == 1:
            broken = RecordingStream([METADATA, VALUES], error=httpx.ReadError("reset"))
            return sse_response(stream=broken)
        replayed = replay(everything, request.headers.get("last-event-id"))
        return sse_response(*[e.encode() for e in replayed])

    client, calls = mock(reply)
    reconnects: list[tuple[int, str | None]] = []
    stream = await client.threads.join_stream(
        "t1", stream_mode="lifecycle", on_reconnect=lambda n, last: reconnects.append((n, last))
    )
    async with stream:
        parts = [part async for part in stream]
    assert [p.id for p in parts] == ["1-0", "2-0", "3-0"]  # each event exactly once
    assert reconnects == [(1, "2-0")]
    first, second = calls
    assert "last-event-id" not in first.headers
    # Resumed from the id before the last one (ids may be shared), the replayed 2-0 dropped.
    assert second.headers["last-event-id"] == "1-0"
    assert (second.method, raw_path(second), query(second)) == (
        "GET",
        "/threads/t1/stream",
        {"stream_modes": "lifecycle"},
    )


async def test_join_stream_resumes_from_the_given_id_when_nothing_arrived(
    mock: MockFactory, no_retry_delay: None
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if len(calls) == 1:
            return sse_response(stream=RecordingStream([], error=httpx.ReadError("reset")))
        return sse_response(VALUES)

    client, calls = mock(reply)
    async with await client.threads.join_stream("t1", last_event_id="1-0") as stream:
        assert [p.id async for p in stream] == ["2-0"]
    assert [r.headers["last-event-id"] for r in calls] == ["1-0", "1-0"]
