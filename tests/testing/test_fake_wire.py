"""The fake's bytes, read raw with httpx, against the wire notes (tests/server/WIRE_NOTES.md)."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import orjson
import pytest

from langgraph_client.testing import FakeAgentServer, Pause

RUN = {"assistant_id": "agent", "input": {"messages": [{"role": "user", "content": "hi"}]}}


@pytest.fixture
def fake() -> FakeAgentServer:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run(
        "agent",
        events=[("updates", {"prepare": {"count": 1}}), ("custom", {"node": "prepare"})],
        result={"messages": ["echo: hi"]},
    )
    return fake


async def raw(
    fake: FakeAgentServer, method: str, path: str, **kwargs: Any
) -> tuple[httpx.Response, list[bytes]]:
    """The response and its body as the chunks the transport yielded."""
    async with fake.async_client() as http, http.stream(method, path, **kwargs) as response:
        chunks = [chunk async for chunk in response.aiter_raw()]
    read = httpx.Response(response.status_code, headers=response.headers, content=b"".join(chunks))
    if "content-length" not in response.headers and "content-length" in read.headers:
        del read.headers["content-length"]  # added by the copy; the fake did not send it
    return read, chunks


def payload(chunks: list[bytes]) -> Any:
    """A JSON body read from its chunks."""
    return orjson.loads(b"".join(chunks))


def events(chunks: list[bytes]) -> list[tuple[str, Any, str | None]]:
    out = []
    for chunk in chunks:
        if chunk.startswith(b":"):
            continue
        lines = chunk.decode().split("\r\n")
        name = lines[0].removeprefix("event: ")
        data = orjson.loads(lines[1].removeprefix("data: "))
        event_id = lines[2].removeprefix("id: ") if lines[2] else None
        out.append((name, data, event_id))
    return out


@pytest.mark.parametrize(
    ("path", "content_location", "location"),
    [
        ("/runs/stream", "/runs/{rid}", "/runs/{rid}/stream"),
        ("/runs/wait", "/threads/{tmp}/runs/{rid}", "/threads/{tmp}/runs/{rid}/join"),
        ("/runs", "/runs/{rid}", None),
        (
            "/threads/{tid}/runs/stream",
            "/threads/{tid}/runs/{rid}",
            "/threads/{tid}/runs/{rid}/stream",
        ),
        ("/threads/{tid}/runs/wait", "/threads/{tid}/runs/{rid}", "/threads/{tid}/runs/{rid}/join"),
        ("/threads/{tid}/runs", "/threads/{tid}/runs/{rid}", None),
    ],
)
async def test_run_creation_headers(
    fake: FakeAgentServer, path: str, content_location: str, location: str | None
) -> None:
    tid = fake.add_thread()["thread_id"]
    response, _ = await raw(fake, "POST", path.format(tid=tid), json=RUN)
    run = fake.runs[-1]
    tmp = run["thread_id"]
    assert run["stateless"] == path.startswith("/runs")
    names = {"rid": run["run_id"], "tid": tid, "tmp": tmp}
    assert response.status_code == 200
    assert response.headers["content-location"] == content_location.format(**names)
    assert response.headers.get("location") == (location and location.format(**names))


async def test_stream_framing_one_event_per_chunk_with_crlf_and_id_after_data(
    fake: FakeAgentServer,
) -> None:
    response, chunks = await raw(
        fake,
        "POST",
        "/runs/stream",
        json={**RUN, "stream_mode": ["updates", "custom"], "stream_resumable": True},
    )
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.headers
    assert chunks[0].startswith(b'event: metadata\r\ndata: {"run_id":')
    assert all(c.endswith(b"\r\n\r\n") for c in chunks)
    assert [c.split(b"\r\n")[2][:4] for c in chunks] == [b"id: "] * 3
    parsed = events(chunks)
    assert [name for name, _, _ in parsed] == ["metadata", "updates", "custom"]
    ids = [event_id for _, _, event_id in parsed]
    # The server's ids are `<ms>-0`: events of one millisecond (here: all) share one.
    assert all(re.fullmatch(r"\d{13}-0", i or "") for i in ids) and len(set(ids)) == 1


async def test_ids_only_for_resumable_runs(fake: FakeAgentServer) -> None:
    _, chunks = await raw(fake, "POST", "/runs/stream", json={**RUN, "stream_mode": "updates"})
    assert [e[2] for e in events(chunks)] == [None, None]
    assert all(b"\r\nid: " not in c for c in chunks)


async def test_stream_is_delivered_incrementally(fake: FakeAgentServer) -> None:
    fake.on_run("slow", events=[("custom", {"i": i}) for i in range(3)], interval=0.1)
    fake.add_assistant("slow")
    seen: list[float] = []
    async with fake.async_client() as http:
        body = {"assistant_id": "slow", "stream_mode": "custom"}
        start = time.monotonic()  # before the run exists: its events cannot come earlier
        async with http.stream("POST", "/runs/stream", json=body) as response:
            async for _ in response.aiter_raw():
                seen.append(time.monotonic() - start)
    assert len(seen) == 4  # metadata, then one chunk per event as it happens
    # Never before its time (a buffered body would come all at once, at the end), and the
    # first chunk long before the last one.
    assert all(at >= 0.1 * i - 0.001 for i, at in enumerate(seen)), seen
    assert seen[0] < 0.2, seen


async def test_heartbeat_comments_while_a_stream_is_idle() -> None:
    fake = FakeAgentServer(heartbeat=0.05)
    fake.add_assistant("agent")
    fake.on_run("agent", events=[("custom", 1)], interval=0.18)
    _, chunks = await raw(fake, "POST", "/runs/stream", json={**RUN, "stream_mode": "custom"})
    assert b": heartbeat\r\n\r\n" in chunks
    assert [e[0] for e in events(chunks)] == ["metadata", "custom"]


async def test_wait_keepalives_then_the_json_body() -> None:
    fake = FakeAgentServer(heartbeat=0.05)
    fake.add_assistant("agent")
    fake.on_run("agent", result={"v": 1}, interval=0.18)
    response, chunks = await raw(fake, "POST", "/runs/wait", json=RUN)
    assert response.headers["content-type"] == "application/json"
    assert chunks[:-1] and set(chunks[:-1]) == {b"\n"}
    assert orjson.loads(chunks[-1]) == {"v": 1}


async def test_failed_run_wait_body_and_error_event() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", error=ValueError("boom"))
    response, chunks = await raw(fake, "POST", "/runs/wait", json={**RUN, "input": "fail"})
    assert response.status_code == 200
    assert orjson.loads(b"".join(chunks)) == {
        "__error__": {"error": "ValueError", "message": "boom"}
    }
    _, chunks = await raw(fake, "POST", "/runs/stream", json={**RUN, "input": "fail"})
    assert chunks[-1] == b'event: error\r\ndata: {"error":"ValueError","message":"boom"}\r\n\r\n'


async def test_interrupt_in_wait_values_and_stream_updates() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", result={"messages": ["hi"]}, interrupt={"question": "approve?"})
    tid = fake.add_thread()["thread_id"]
    _, chunks = await raw(fake, "POST", f"/threads/{tid}/runs/wait", json=RUN)
    body = orjson.loads(b"".join(chunks))
    (marker,) = body.pop("__interrupt__")
    assert body == {"messages": ["hi"]}
    assert marker["value"] == {"question": "approve?"} and marker["response_schema"] is None
    assert fake.thread(tid)["status"] == "interrupted"
    rid = fake.runs[-1]["run_id"]
    _, chunks = await raw(fake, "GET", f"/threads/{tid}/runs/{rid}/join")
    assert orjson.loads(b"".join(chunks)) == {
        "__interrupt__": [{"value": {"question": "approve?"}, "id": marker["id"]}]
    }
    _, chunks = await raw(
        fake, "POST", "/runs/stream", json={**RUN, "stream_mode": ["updates", "values"]}
    )
    names = [(name, sorted(data)) for name, data, _ in events(chunks)]
    assert names == [
        ("metadata", ["attempt", "run_id"]),
        ("updates", ["__interrupt__"]),
        ("values", ["__interrupt__", "messages"]),
    ]


async def test_subgraph_events_only_with_stream_subgraphs(fake: FakeAgentServer) -> None:
    fake.add_assistant("nested")
    fake.on_run(
        "nested",
        events=[("updates", {"outer": {}}), ("updates|inner:t1", {"inner_step": {}})],
    )
    body = {"assistant_id": "nested", "stream_mode": "updates"}
    _, chunks = await raw(fake, "POST", "/runs/stream", json=body)
    assert [e[0] for e in events(chunks)] == ["metadata", "updates"]
    _, chunks = await raw(fake, "POST", "/runs/stream", json={**body, "stream_subgraphs": True})
    assert [e[0] for e in events(chunks)] == ["metadata", "updates", "updates|inner:t1"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("messages-tuple", ["metadata", "messages"]),
        ("messages", ["metadata", "messages/metadata", "messages/partial"]),
        ("values", ["metadata", "values"]),
    ],
)
async def test_stream_modes_select_events(mode: str, expected: list[str]) -> None:
    fake = FakeAgentServer()
    fake.add_assistant("chat")
    fake.on_run(
        "chat",
        events=[
            ("messages", [{"content": "echo:"}, {}]),
            ("messages/metadata", {}),
            ("messages/partial", [{"content": "echo:"}]),
            ("values", {"messages": []}),
        ],
    )
    _, chunks = await raw(
        fake, "POST", "/runs/stream", json={"assistant_id": "chat", "stream_mode": mode}
    )
    assert [e[0] for e in events(chunks)] == expected


# ---------------------------------------------------------------- rejoin and replay


async def background_run(fake: FakeAgentServer, **body: Any) -> tuple[str, str]:
    tid = fake.add_thread()["thread_id"]
    _, chunks = await raw(fake, "POST", f"/threads/{tid}/runs", json={**RUN, **body})
    return tid, payload(chunks)["run_id"]


async def test_join_stream_without_last_event_id_after_the_end_is_empty(
    fake: FakeAgentServer,
) -> None:
    tid, rid = await background_run(fake, stream_resumable=True, stream_mode="updates")
    response, chunks = await raw(fake, "GET", f"/threads/{tid}/runs/{rid}/stream")
    assert response.status_code == 200 and chunks == []


async def test_join_stream_minus_one_replays_everything(fake: FakeAgentServer) -> None:
    tid, rid = await background_run(fake, stream_resumable=True, stream_mode="updates")
    _, chunks = await raw(
        fake, "GET", f"/threads/{tid}/runs/{rid}/stream", headers={"Last-Event-ID": "-1"}
    )
    assert [e[0] for e in events(chunks)] == ["metadata", "updates"]


async def test_join_stream_resumes_strictly_after_the_id() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run(
        "agent", events=[Pause(0.01), ("updates", {"a": 1}), Pause(0.01), ("custom", {"b": 2})]
    )
    tid, rid = await background_run(fake, stream_resumable=True, stream_mode=["updates", "custom"])
    await asyncio.sleep(0.05)
    url = f"/threads/{tid}/runs/{rid}/stream"
    _, chunks = await raw(fake, "GET", url, headers={"Last-Event-ID": "-1"})
    ids = [e[2] for e in events(chunks)]
    assert len(set(ids)) == 3 and ids == sorted(ids)
    _, chunks = await raw(fake, "GET", url, headers={"Last-Event-ID": ids[0] or ""})
    assert [e[0] for e in events(chunks)] == ["updates", "custom"]
    for after in (ids[2] or "", "garbage"):
        _, chunks = await raw(fake, "GET", url, headers={"Last-Event-ID": after})
        assert chunks == []
    _, chunks = await raw(fake, "GET", url + "?stream_mode=custom", headers={"Last-Event-ID": "-1"})
    assert [e[0] for e in events(chunks)] == ["custom"]  # no metadata: WIRE_NOTES


async def test_a_join_filtered_by_stream_mode_has_no_metadata_and_no_error() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    events_ = [("updates", {"a": 1}), ("custom", {"b": 2})]
    fake.on_run("agent", events=events_, error=("ValueError", "boom"))
    tid, rid = await background_run(fake, stream_resumable=True, stream_mode=["updates", "custom"])
    url = f"/threads/{tid}/runs/{rid}/stream"
    _, chunks = await raw(fake, "GET", url, headers={"Last-Event-ID": "-1"})
    assert [e[0] for e in events(chunks)] == ["metadata", "updates", "custom", "error"]
    query = '?stream_mode=["updates","custom"]'
    _, chunks = await raw(fake, "GET", url + query, headers={"Last-Event-ID": "-1"})
    assert [e[0] for e in events(chunks)] == ["updates", "custom"]


async def test_resuming_after_a_shared_id_skips_the_others_that_carry_it(
    fake: FakeAgentServer,
) -> None:
    # As on the in-memory server (WIRE_NOTES "Resume can lose events"): a client must resume
    # from the id before a shared one.
    tid, rid = await background_run(fake, stream_resumable=True, stream_mode=["updates", "custom"])
    url = f"/threads/{tid}/runs/{rid}/stream"
    _, chunks = await raw(fake, "GET", url, headers={"Last-Event-ID": "-1"})
    first, *rest = events(chunks)
    assert [e[2] for e in rest] == [first[2], first[2]]
    _, chunks = await raw(fake, "GET", url, headers={"Last-Event-ID": first[2] or ""})
    assert chunks == []


async def test_join_stream_of_a_running_run_without_id_gets_live_events_only() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", events=[("custom", {"i": i}) for i in range(4)], interval=0.2)
    tid, rid = await background_run(fake, stream_resumable=True, stream_mode="custom")
    await asyncio.sleep(0.5)  # two events (at 0.2 s and 0.4 s) have happened
    _, chunks = await raw(fake, "GET", f"/threads/{tid}/runs/{rid}/stream")
    got = [e[1]["i"] for e in events(chunks)]
    # The events after the join came (all of them, in order); none from before it.
    assert got in ([2, 3], [3]), got


async def test_not_resumable_runs_replay_nothing(fake: FakeAgentServer) -> None:
    tid, rid = await background_run(fake, stream_mode="updates")
    _, chunks = await raw(
        fake, "GET", f"/threads/{tid}/runs/{rid}/stream", headers={"Last-Event-ID": "-1"}
    )
    assert chunks == []


async def test_stateless_resumable_stream_rejoins_at_its_temporary_thread(
    fake: FakeAgentServer,
) -> None:
    await raw(fake, "POST", "/runs/stream", json={**RUN, "stream_resumable": True})
    run = fake.runs[-1]
    temporary = run["thread_id"]
    assert run["stateless"] and temporary not in [t["thread_id"] for t in fake.threads]
    _, chunks = await raw(
        fake,
        "GET",
        f"/threads/{temporary}/runs/{run['run_id']}/stream",
        headers={"Last-Event-ID": "-1"},
    )
    assert [e[0] for e in events(chunks)] == ["metadata", "values"]
    other = fake.add_thread()["thread_id"]
    _, chunks = await raw(fake, "GET", f"/threads/{other}/runs/{run['run_id']}/stream")
    assert events(chunks) == [
        ("error", {"error": "HTTPException", "message": "404: Run not found"}, None)
    ]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("GET", "/threads/not-a-uuid", None, 422, "Invalid thread ID: must be a UUID"),
        ("GET", "/assistants/agent", None, 422, "Invalid assistant ID: must be a UUID"),
        (
            "GET",
            "/threads/00000000-0000-0000-0000-000000000000",
            None,
            404,
            "Thread with ID 00000000-0000-0000-0000-000000000000 not found",
        ),
        (
            "POST",
            "/threads/00000000-0000-0000-0000-000000000000/runs/wait",
            RUN,
            404,
            "Thread or assistant not found.",
        ),
        ("POST", "/runs/wait", {"input": {}}, 422, '"assistant_id" is a required property'),
        ("GET", "/nowhere", None, 404, "Not Found"),
    ],
)
async def test_error_statuses_and_bodies(
    fake: FakeAgentServer, method: str, path: str, body: Any, status: int, detail: str
) -> None:
    response, chunks = await raw(fake, method, path, json=body)
    assert response.status_code == status
    assert orjson.loads(b"".join(chunks)) == {"detail": detail}


async def test_unknown_assistant_names_the_registered_graphs(fake: FakeAgentServer) -> None:
    response, _ = await raw(fake, "POST", "/runs/wait", json={**RUN, "assistant_id": "nope"})
    assert response.status_code == 422
    assert "Invalid assistant: 'nope'" in response.json()["detail"]
    assert "registered graphs: agent" in response.json()["detail"]


async def test_unscripted_run_is_a_500_naming_on_run() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    response, _ = await raw(fake, "POST", "/runs/wait", json=RUN)
    assert response.status_code == 500
    assert "fake.on_run('agent'" in response.json()["detail"]
    assert fake.runs == []


async def test_join_of_unknown_run_is_a_200_error_body(fake: FakeAgentServer) -> None:
    tid = fake.add_thread()["thread_id"]
    rid = "00000000-0000-0000-0000-000000000001"
    response, chunks = await raw(fake, "GET", f"/threads/{tid}/runs/{rid}/join")
    assert response.status_code == 200
    assert orjson.loads(b"".join(chunks)) == {
        "__error__": {"error": "HTTPException", "message": "404: Run not found"}
    }


async def test_reject_on_a_busy_thread_is_a_409() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", interval=2)
    tid, _ = await background_run(fake)
    response, _ = await raw(
        fake, "POST", f"/threads/{tid}/runs", json={**RUN, "multitask_strategy": "reject"}
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Thread is already running a task.")
    assert fake.thread(tid)["status"] == "busy"


async def test_cancel_then_cancel_again(fake: FakeAgentServer) -> None:
    fake.on_run("slow", interval=5)
    fake.add_assistant("slow")
    tid = fake.add_thread()["thread_id"]
    response, _ = await raw(
        fake, "POST", f"/threads/{tid}/runs", json={**RUN, "assistant_id": "slow"}
    )
    rid = response.json()["run_id"]
    response, _ = await raw(fake, "POST", f"/threads/{tid}/runs/{rid}/cancel")
    assert response.status_code == 202 and response.content == b""
    assert fake.runs[-1]["status"] == "interrupted"
    response, _ = await raw(fake, "POST", f"/threads/{tid}/runs/{rid}/cancel")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No matching runs to cancel.")


async def test_requests_are_recorded_with_the_key_redacted(fake: FakeAgentServer) -> None:
    await raw(
        fake,
        "POST",
        "/runs/wait?x=1",
        json=RUN,
        headers={"x-api-key": "sk-SECRET", "authorization": "Bearer sk-SECRET", "x-other": "o"},
    )
    (request,) = fake.requests
    assert (request.method, request.path, request.query) == ("POST", "/runs/wait", {"x": ["1"]})
    assert request.json == RUN and request.status == 200
    assert request.header("X-Other") == "o"
    assert request.header("x-api-key") == "***" and request.header("authorization") == "***"
    assert "sk-SECRET" not in repr(fake.requests)


async def test_bad_stream_mode_is_a_422(fake: FakeAgentServer) -> None:
    response, _ = await raw(fake, "POST", "/runs/stream", json={**RUN, "stream_mode": "bogus"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith('"bogus" is not valid under any of the schemas')
    assert fake.runs == []


async def test_a_result_that_is_not_a_dict(fake: FakeAgentServer) -> None:
    fake.add_assistant("lister")
    fake.on_run("lister", result=[1, 2], interrupt="why?", times=1)
    fake.on_run("lister", result=[3])
    tid = fake.add_thread()["thread_id"]
    body = {"assistant_id": "lister"}
    _, chunks = await raw(fake, "POST", f"/threads/{tid}/runs/wait", json=body)
    assert payload(chunks)["__interrupt__"][0]["value"] == "why?"
    _, chunks = await raw(fake, "POST", f"/threads/{tid}/runs/wait", json=body)
    assert payload(chunks) == [3] and fake.thread(tid)["values"] == [3]


async def test_after_seconds_delays_the_start(fake: FakeAgentServer) -> None:
    tid = fake.add_thread()["thread_id"]
    await raw(fake, "POST", f"/threads/{tid}/runs", json={**RUN, "after_seconds": 0.5})
    assert fake.runs[0]["status"] == "pending"
    await asyncio.sleep(0.6)
    assert fake.runs[0]["status"] == "success"


async def test_a_script_that_raises_fails_the_call_and_is_still_recorded() -> None:
    fake = FakeAgentServer()
    fake.add_assistant("agent")

    def broken(run: object) -> list[tuple[str, object]]:
        raise LookupError("bug in the test's script")

    fake.on_run("agent", events=broken)
    with pytest.raises(LookupError, match="bug in the test's script"):
        await raw(fake, "POST", "/runs/wait", json=RUN)
    assert [(r.path, r.status) for r in fake.requests] == [("/runs/wait", 0)]


async def test_a_body_that_is_not_json_is_a_422(fake: FakeAgentServer) -> None:
    response, _ = await raw(fake, "POST", "/threads", content=b"{nope")
    assert response.status_code == 422
    assert fake.requests[0].json is None and fake.requests[0].body == b"{nope"
