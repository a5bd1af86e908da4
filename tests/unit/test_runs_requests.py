"""`client.runs`: paths, bodies, per-call options, `on_run_created`, stream parts and closing,
serialization, stream resume, and the rejoin of a dropped `wait`."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import gc
import uuid
from typing import Any

import httpx
import pydantic
import pytest

from langgraph_client import (
    APIConnectionError,
    Client,
    NotFoundError,
    RunCancelledError,
    RunStream,
    StreamLostError,
    StreamPart,
)
from langgraph_client.testing import FakeAgentServer
from tests.clients import open_client
from tests.faultserver import SSEEvent, replay

from .conftest import (
    MockFactory,
    RecordingStream,
    json_body,
    sse,
    sse_response,
)

pytestmark = pytest.mark.both_clients


def run_json(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"run_id": "r", "thread_id": "t", "status": "pending"})


def any_run(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/stream"):
        return sse_response(sse("metadata", {"run_id": "r"}))
    return run_json(request)


async def drain(stream: RunStream) -> list[StreamPart]:
    async with stream:
        return [part async for part in stream]


async def call(client: Client, method: str, thread_id: str | None, **kwargs: Any) -> Any:
    if method == "stream":
        return await drain(client.runs.stream(thread_id, "agent", **kwargs))
    return await getattr(client.runs, method)(thread_id, "agent", **kwargs)


# Paths


@pytest.mark.parametrize(
    ("method", "thread_id", "path"),
    [
        ("wait", None, "/runs/wait"),
        ("stream", None, "/runs/stream"),
        ("create", None, "/runs"),
        ("wait", "t-1", "/threads/t-1/runs/wait"),
        ("stream", "t-1", "/threads/t-1/runs/stream"),
        ("create", "t-1", "/threads/t-1/runs"),
        ("wait", "a/../b", "/threads/a%2F..%2Fb/runs/wait"),
    ],
)
async def test_stateless_and_threaded_paths(
    mock: MockFactory, method: str, thread_id: str | None, path: str
) -> None:
    client, requests = mock(any_run)
    await call(client, method, thread_id)
    assert len(requests) == 1
    assert requests[0].method == "POST"
    assert requests[0].url.raw_path.decode() == path


@pytest.mark.parametrize("thread_id", ["", "   "])
async def test_empty_thread_id_is_not_a_stateless_run(mock: MockFactory, thread_id: str) -> None:
    client, requests = mock(any_run)
    with pytest.raises(ValueError):
        await client.runs.wait(thread_id, "agent")
    assert requests == []


async def test_missing_assistant_is_a_value_error(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    with pytest.raises(ValueError, match="assistant_id"):
        await client.runs.wait(None, "")
    assert requests == []


# Bodies


FULL_OPTIONS: dict[str, Any] = {
    "input": {"messages": [{"role": "user", "content": "hi"}]},
    "command": {"resume": "yes", "goto": "node_b"},
    "metadata": {"who": "test"},
    "config": {"tags": ["a"], "recursion_limit": 7, "configurable": {"k": 1}},
    "context": {"model": "small"},
    "checkpoint": {"checkpoint_id": "cp-1", "checkpoint_ns": ""},
    "checkpoint_id": "cp-2",
    "checkpoint_during": True,
    "interrupt_before": ["node_a"],
    "interrupt_after": "*",
    "webhook": "https://hooks.example/x",
    "on_disconnect": "continue",
    "on_completion": "keep",
    "multitask_strategy": "enqueue",
    "if_not_exists": "create",
    "after_seconds": 1.5,
    "durability": "exit",
    "stream_subgraphs": True,
    "stream_resumable": False,
    "feedback_keys": ["score"],
    "strict_resume": True,
}


@pytest.mark.parametrize("method", ["wait", "stream", "create"])
@pytest.mark.parametrize(
    "stream_mode", ["updates", ["values", "messages-tuple", "custom"]], ids=["one", "list"]
)
async def test_every_option_lands_in_the_body_exactly(
    mock: MockFactory, method: str, stream_mode: Any
) -> None:
    client, requests = mock(any_run)
    await call(client, method, "t", stream_mode=stream_mode, **FULL_OPTIONS)
    assert json_body(requests[0]) == {
        "assistant_id": "agent",
        "stream_mode": stream_mode,
        **FULL_OPTIONS,
    }


async def test_falsy_values_that_are_not_none_are_sent(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    await client.runs.wait(
        None,
        "agent",
        input={},
        metadata={},
        interrupt_before=[],
        after_seconds=0,
        stream_subgraphs=False,
        strict_resume=False,
    )
    assert json_body(requests[0]) == {
        "assistant_id": "agent",
        "input": {},
        "metadata": {},
        "interrupt_before": [],
        "after_seconds": 0,
        "stream_subgraphs": False,
        "strict_resume": False,
    }


@pytest.mark.parametrize("method", ["wait", "stream", "create"])
async def test_none_options_are_not_sent(mock: MockFactory, method: str) -> None:
    client, requests = mock(any_run)
    await call(client, method, None, **dict.fromkeys(FULL_OPTIONS))
    expected: dict[str, Any] = {"assistant_id": "agent"}
    if method == "stream":
        expected["stream_mode"] = "values"  # the named parameter's default
    assert json_body(requests[0]) == expected


async def test_stream_mode_is_sent_only_when_given_outside_stream(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    await client.runs.wait(None, "agent")
    await client.runs.create(None, "agent")
    await drain(client.runs.stream(None, "agent", stream_mode=None))  # type: ignore[arg-type]
    assert [json_body(r) for r in requests] == [{"assistant_id": "agent"}] * 3


async def test_langsmith_tracing_is_sent_under_its_wire_name(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    await client.runs.wait(None, "agent", langsmith_tracing={"project_name": "p"})
    assert json_body(requests[0]) == {
        "assistant_id": "agent",
        "langsmith_tracer": {"project_name": "p"},
    }


@pytest.mark.parametrize("method", ["wait", "stream", "create"])
async def test_unknown_keyword_is_a_type_error_before_any_request(
    mock: MockFactory, method: str
) -> None:
    client, requests = mock(any_run)
    with pytest.raises(TypeError, match="stream_modes"):
        if method == "stream":
            client.runs.stream(None, "agent", stream_modes="values")  # type: ignore[call-arg]
        else:
            await getattr(client.runs, method)(None, "agent", stream_modes="values")
    assert requests == []


async def test_stream_rejects_an_unknown_keyword_at_the_call_not_at_iteration(
    mock: MockFactory,
) -> None:
    client, _ = mock(any_run)
    with pytest.raises(TypeError):
        client.runs.stream(None, "agent", inptu={})  # type: ignore[call-arg]


# Per-call headers and params


@pytest.mark.parametrize("method", ["wait", "stream", "create"])
async def test_per_call_headers_and_params_reach_the_request(
    mock: MockFactory, method: str
) -> None:
    client, requests = mock(any_run, headers={"x-client": "c"})
    await call(client, method, "t", headers={"x-call": "1"}, params={"q": "v", "flag": True})
    request = requests[0]
    assert request.headers["x-call"] == "1"
    assert request.headers["x-client"] == "c"
    assert dict(request.url.params) == {"q": "v", "flag": "true"}


@pytest.mark.parametrize(
    ("name", "invoke", "method", "path"),
    [
        ("get", lambda c, kw: c.runs.get("t", "r", **kw), "GET", "/threads/t/runs/r"),
        ("join", lambda c, kw: c.runs.join("t", "r", **kw), "GET", "/threads/t/runs/r/join"),
        ("delete", lambda c, kw: c.runs.delete("t", "r", **kw), "DELETE", "/threads/t/runs/r"),
        (
            "cancel",
            lambda c, kw: c.runs.cancel("t", "r", **kw),
            "POST",
            "/threads/t/runs/r/cancel",
        ),
        ("list", lambda c, kw: c.runs.list("t", **kw), "GET", "/threads/t/runs"),
    ],
)
async def test_other_run_calls_take_headers_and_params(
    mock: MockFactory, name: str, invoke: Any, method: str, path: str
) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json=[] if name == "list" else {}))
    await invoke(client, {"headers": {"x-call": "1"}, "params": {"extra": "e"}})
    request = requests[0]
    assert (request.method, request.url.path) == (method, path)
    assert request.headers["x-call"] == "1"
    assert request.url.params["extra"] == "e"


async def test_list_cancel_and_cancel_many_queries(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json=[]))
    await client.runs.list("t", limit=5, offset=10, status="running", select=["run_id"])
    await client.runs.cancel("t", "r", wait=True, action="rollback")
    await client.runs.cancel_many(thread_id="t", run_ids=["a", "b"], action="interrupt")
    listing, cancel, many = requests
    assert listing.url.params.multi_items() == [
        ("limit", "5"),
        ("offset", "10"),
        ("status", "running"),
        ("select", "run_id"),
    ]
    assert dict(cancel.url.params) == {"wait": "true", "action": "rollback"}
    assert (many.method, many.url.path) == ("POST", "/runs/cancel")
    assert json_body(many) == {"thread_id": "t", "run_ids": ["a", "b"]}
    assert dict(many.url.params) == {"action": "interrupt"}


async def test_create_batch_builds_each_body(mock: MockFactory) -> None:
    client, requests = mock(lambda r: httpx.Response(200, json=[]))
    await client.runs.create_batch(
        [{"assistant_id": "a", "input": {"x": 1}, "metadata": None}, {"assistant_id": "b"}]
    )
    assert requests[0].url.path == "/runs/batch"
    assert json_body(requests[0]) == [
        {"assistant_id": "a", "input": {"x": 1}},
        {"assistant_id": "b"},
    ]


# on_run_created


LOCATIONS = [
    ("/threads/T/runs/R", {"run_id": "R", "thread_id": "T"}),
    ("/runs/R", {"run_id": "R", "thread_id": None}),
    ("/threads/T/runs/R/stream", {"run_id": "R", "thread_id": "T"}),
    ("/runs/R/stream", {"run_id": "R", "thread_id": None}),
    ("/threads/T/runs/R/join", {"run_id": "R", "thread_id": "T"}),
    ("http://testserver/api/threads/T/runs/R", {"run_id": "R", "thread_id": "T"}),
    ("/threads/a%2Fb/runs/r%20x", {"run_id": "r x", "thread_id": "a/b"}),
    ("/threads/T/runs/R?x=1", {"run_id": "R", "thread_id": "T"}),
]


@pytest.mark.parametrize(("location", "expected"), LOCATIONS, ids=[x for x, _ in LOCATIONS])
async def test_wait_on_run_created_from_content_location(
    mock: MockFactory, location: str, expected: dict[str, Any]
) -> None:
    client, _ = mock(
        lambda r: httpx.Response(200, json={"v": 1}, headers={"content-location": location})
    )
    seen: list[dict[str, Any]] = []
    assert await client.runs.wait(None, "agent", on_run_created=seen.append) == {"v": 1}
    assert seen == [expected]


@pytest.mark.parametrize(("location", "expected"), LOCATIONS, ids=[x for x, _ in LOCATIONS])
async def test_stream_on_run_created_from_content_location(
    mock: MockFactory, location: str, expected: dict[str, Any]
) -> None:
    client, _ = mock(
        lambda r: sse_response(
            sse("metadata", {"run_id": "from-body"}), headers={"content-location": location}
        )
    )
    seen: list[dict[str, Any]] = []
    stream = client.runs.stream(None, "agent", on_run_created=seen.append)
    assert (stream.run_id, stream.thread_id) == (None, None)
    await drain(stream)
    assert seen == [expected]  # once, from the header; the metadata event does not repeat it
    assert (stream.run_id, stream.thread_id) == (expected["run_id"], expected["thread_id"])


async def test_wait_calls_on_run_created_before_the_body_is_read_and_before_returning(
    mock: MockFactory,
) -> None:
    order: list[str] = []
    body = RecordingStream([b"\n", b'{"v": 1}'], on_chunk=lambda i: order.append(f"chunk{i}"))
    client, _ = mock(
        lambda r: httpx.Response(
            200, stream=body, headers={"content-location": "/threads/T/runs/R"}
        )
    )
    result = await client.runs.wait(
        "T", "agent", on_run_created=lambda meta: order.append(f"created {meta['run_id']}")
    )
    order.append("returned")
    assert result == {"v": 1}
    assert order == ["created R", "chunk0", "chunk1", "returned"]


async def test_stream_calls_on_run_created_before_the_first_part(mock: MockFactory) -> None:
    order: list[str] = []
    body = RecordingStream(
        [sse("metadata", {"run_id": "R"}), sse("values", {"n": 1})],
        on_chunk=lambda i: order.append(f"chunk{i}"),
    )
    client, _ = mock(
        lambda r: sse_response(stream=body, headers={"content-location": "/threads/T/runs/R"})
    )
    stream = client.runs.stream(
        "T", "agent", on_run_created=lambda meta: order.append(f"created {meta['run_id']}")
    )
    async with stream:
        async for part in stream:
            order.append(f"part {part.event}")
    assert order[0] == "created R"
    assert order.index("part metadata") < order.index("part values")
    assert order.count("created R") == 1


async def test_stream_without_content_location_learns_the_run_from_metadata(
    mock: MockFactory,
) -> None:
    order: list[Any] = []
    client, _ = mock(
        lambda r: sse_response(sse("metadata", {"run_id": "R-7", "attempt": 1}), sse("values", 1))
    )
    stream = client.runs.stream(None, "agent", on_run_created=lambda m: order.append(dict(m)))
    async with stream:
        async for part in stream:
            order.append(part.event)
    assert order == [{"run_id": "R-7", "thread_id": None}, "metadata", "values"]
    assert stream.run_id == "R-7"


async def test_threaded_stream_without_content_location_knows_its_thread(
    mock: MockFactory,
) -> None:
    seen: list[Any] = []
    client, _ = mock(lambda r: sse_response(sse("metadata", {"run_id": "R-8"})))
    stream = client.runs.stream("T-8", "agent", on_run_created=seen.append)
    await drain(stream)
    assert seen == [{"run_id": "R-8", "thread_id": "T-8"}]
    assert (stream.run_id, stream.thread_id) == ("R-8", "T-8")


async def test_wait_without_content_location_does_not_call_back(mock: MockFactory) -> None:
    client, _ = mock(lambda r: httpx.Response(200, json={}))
    seen: list[Any] = []
    await client.runs.wait(None, "agent", on_run_created=seen.append)
    assert seen == []


async def test_wait_callback_error_propagates_and_closes_the_response(
    mock: MockFactory,
) -> None:
    body = RecordingStream([b"{}"])
    client, _ = mock(
        lambda r: httpx.Response(200, stream=body, headers={"content-location": "/runs/R"})
    )

    def boom(meta: Any) -> None:
        raise KeyError("callback failed")

    with pytest.raises(KeyError):
        await client.runs.wait(None, "agent", on_run_created=boom)
    assert body.closed


@pytest.mark.parametrize("method", ["wait", "stream", "create"])
@pytest.mark.parametrize("threaded", [True, False], ids=["threaded", "stateless"])
async def test_on_run_created_against_the_fake_server(
    flavour: str, method: str, threaded: bool
) -> None:
    # The fake answers with the server's own Content-Location shapes (tests/server/WIRE_NOTES.md).
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", result={"v": 1})
    thread_id = fake.add_thread()["thread_id"] if threaded else None
    seen: list[Any] = []
    http: Any = fake.async_client() if flavour == "async" else fake.client()
    async with open_client(flavour, url="http://agent.test", http_client=http, api_key=None) as c:
        await call(c, method, thread_id, on_run_created=seen.append)
    await http.aclose() if flavour == "async" else http.close()
    (run,) = fake.runs
    # A stateless stream never names its temporary thread; wait and create do.
    known_thread = threaded or method != "stream"
    expected = run["thread_id"] if known_thread else None
    assert seen == [{"run_id": run["run_id"], "thread_id": expected}]


# Stream parts


def test_stream_part_is_a_named_tuple() -> None:
    part = StreamPart("values", {"a": 1}, "1-0")
    event, data, id_ = part
    assert (event, data, id_) == ("values", {"a": 1}, "1-0")
    assert isinstance(part, tuple)
    assert StreamPart._fields == ("event", "data", "id")
    assert StreamPart("end", None) == ("end", None, None)
    assert part._replace(id=None).id is None


EVENTS = [
    ("metadata", {"run_id": "r", "attempt": 1}),
    ("values", {"messages": []}),
    ("updates", {"node": {"k": 1}}),
    ("messages", [{"content": "tok", "type": "AIMessageChunk"}, {"langgraph_node": "n"}]),
    ("messages/partial", [{"content": "to"}]),
    ("messages/complete", [{"content": "tok"}]),
    ("messages/metadata", {"id": {"metadata": {}}}),
    ("events", {"event": "on_chain_start"}),
    ("debug", {"type": "checkpoint", "step": -1}),
    ("tasks", {"id": "task", "name": "node"}),
    ("checkpoints", {"config": {}}),
    ("custom", "anything"),
    ("updates|node:1f0-task", {"inner": {"x": 2}}),
    ("values|outer:a|inner:b", {"deep": True}),
    ("a_mode_from_the_future", {"new": [1, 2, 3]}),
    ("error", {"error": "ValueError", "message": "m"}),
    ("end", None),
]


async def test_every_event_name_passes_through_with_decoded_data(mock: MockFactory) -> None:
    blocks = [sse(name, data) for name, data in EVENTS]
    blocks.append(b"event: values\r\nid: 17-0\r\ndata: 1\r\n\r\n: heartbeat\r\n\r\n")
    client, _ = mock(lambda r: sse_response(*blocks))
    parts = await drain(
        client.runs.stream(None, "agent", stream_mode=["values", "updates", "messages-tuple"])
    )
    assert parts == [StreamPart(name, data, None) for name, data in EVENTS] + [
        StreamPart("values", 1, "17-0")
    ]


async def test_stream_ids_and_last_event_id(mock: MockFactory) -> None:
    client, _ = mock(
        lambda r: sse_response(
            sse("values", 1, id="1-0"), sse("values", 2), sse("values", 3, id="3-0")
        )
    )
    stream = client.runs.stream(None, "agent")
    seen = []
    async with stream:
        async for part in stream:
            seen.append((part.id, stream.last_event_id))
    # The SSE `id` persists until the next one: the second event is still at "1-0".
    assert seen == [("1-0", "1-0"), ("1-0", "1-0"), ("3-0", "3-0")]


async def test_stream_ends_when_the_body_ends_without_an_end_event(mock: MockFactory) -> None:
    body = RecordingStream([sse("values", 1), b"data: 2\n"])  # last event lacks its blank line
    client, _ = mock(lambda r: sse_response(stream=body))
    stream = client.runs.stream(None, "agent")
    assert await drain(stream) == [StreamPart("values", 1), StreamPart("message", 2)]
    assert body.closed
    assert stream.response is not None and stream.response.is_closed


async def test_stream_response_headers_are_available(mock: MockFactory) -> None:
    client, _ = mock(lambda r: sse_response(sse("values", 1), headers={"x-request-id": "abc"}))
    stream = client.runs.stream(None, "agent")
    assert stream.response is None
    async with stream:
        async for _ in stream:
            assert stream.response is not None
            assert stream.response.headers["x-request-id"] == "abc"


# Closing


def _held_stream() -> tuple[RecordingStream, Any]:
    body = RecordingStream(
        [sse("metadata", {"run_id": "r"}), sse("values", 1), sse("values", 2)], hold=True
    )
    return body, lambda r: sse_response(stream=body)


async def test_break_inside_async_with_closes_the_response(mock: MockFactory) -> None:
    body, handler = _held_stream()
    client, _ = mock(handler)
    async with client.runs.stream(None, "agent") as stream:
        async for part in stream:
            if part.event == "values":
                break
        assert not body.closed
    assert body.closed
    assert stream.response is not None and stream.response.is_closed
    assert [p async for p in stream] == []  # a closed stream yields nothing more
    await stream.aclose()  # twice is fine


async def test_exception_inside_async_with_closes_the_response(mock: MockFactory) -> None:
    body, handler = _held_stream()
    client, _ = mock(handler)
    with pytest.raises(ZeroDivisionError):
        async with client.runs.stream(None, "agent") as stream:
            async for _ in stream:
                1 / 0  # noqa: B018
    assert body.closed


async def test_aclose_without_async_with(mock: MockFactory) -> None:
    body, handler = _held_stream()
    client, _ = mock(handler)
    stream = client.runs.stream(None, "agent")
    async for _ in stream:
        break
    await stream.aclose()
    assert body.closed


async def test_plain_break_releases_the_response_when_the_stream_is_dropped(
    mock: MockFactory,
) -> None:
    body, handler = _held_stream()
    client, _ = mock(handler)
    stream = client.runs.stream(None, "agent")
    async for _ in stream:
        break
    del stream
    gc.collect()
    for _ in range(5):
        await asyncio.sleep(0)
    assert body.closed


@pytest.mark.async_only
async def test_cancelling_the_consumer_closes_the_response(mock: MockFactory) -> None:
    body, handler = _held_stream()
    client, _ = mock(handler)
    stream = client.runs.stream(None, "agent")
    got: list[StreamPart] = []

    async def consume() -> None:
        async for part in stream:
            got.append(part)

    task = asyncio.create_task(consume())
    while len(got) < 3:  # noqa: ASYNC110
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert body.closed


async def test_aclose_from_another_task_stops_the_stream(mock: MockFactory) -> None:
    body, handler = _held_stream()
    client, _ = mock(handler)
    stream = client.runs.stream(None, "agent")
    got: list[StreamPart] = []

    async def consume() -> None:
        async for part in stream:
            got.append(part)

    task = asyncio.create_task(consume())
    try:
        while len(got) < 3:  # noqa: ASYNC110
            await asyncio.sleep(0)
        await stream.aclose()
        assert body.closed
        await asyncio.wait_for(task, 1)  # iteration ends quietly
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_aclose_before_iterating_sends_nothing(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    stream = client.runs.stream(None, "agent")
    await stream.aclose()
    assert [p async for p in stream] == []
    assert requests == []
    assert "closed" in repr(stream)


async def test_creating_a_stream_sends_nothing_until_iterated(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    async with client.runs.stream(None, "agent") as stream:
        assert requests == []
        assert "open" in repr(stream) and "/runs/stream" in repr(stream)
    assert requests == []


# Serialization


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Model(pydantic.BaseModel):
    name: str
    when: dt.datetime


class Color(enum.Enum):
    RED = "red"


async def test_rich_python_values_serialize(mock: MockFactory) -> None:
    client, requests = mock(any_run)
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    when = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    await client.runs.wait(
        None,
        "agent",
        input={
            "point": Point(1, 2),
            "model": Model(name="m", when=when),
            "id": uid,
            "when": when,
            "day": dt.date(2025, 1, 2),
            "tags": {"b", "a"},
            "frozen": frozenset({3}),
            "tuple": (1, 2),
            "color": Color.RED,
            1: "int key",
        },
        metadata={"ids": [uid]},
    )
    body = json_body(requests[0])
    got = body["input"]
    assert got["point"] == {"x": 1, "y": 2}
    assert got["model"] == {"name": "m", "when": "2025-01-02T03:04:05Z"}
    assert got["id"] == str(uid)
    assert got["when"] == "2025-01-02T03:04:05+00:00"
    assert got["day"] == "2025-01-02"
    assert sorted(got["tags"]) == ["a", "b"]
    assert got["frozen"] == [3]
    assert got["tuple"] == [1, 2]
    assert got["color"] == "red"
    assert got["1"] == "int key"
    assert body["metadata"] == {"ids": [str(uid)]}


@pytest.mark.parametrize("method", ["wait", "stream", "create"])
async def test_unserializable_input_is_a_type_error_naming_the_type_before_any_request(
    mock: MockFactory, method: str
) -> None:
    class Opaque:
        pass

    client, requests = mock(any_run)
    for value in (object(), Opaque()):
        with pytest.raises(TypeError, match=type(value).__name__):
            if method == "stream":
                client.runs.stream(None, "agent", input={"x": [value]})
            else:
                await getattr(client.runs, method)(None, "agent", config={"c": value})
    assert requests == []


# Stream resume (stream_resumable=True)


class FakeRunServer:
    """A run's event log served like the Agent Server: `POST` streams the first `cut` events
    then breaks; `GET .../stream` with `Last-Event-ID` replays the events strictly after that
    id (`-1`: all), breaking again after `cut_resumes` more events when asked."""

    def __init__(
        self, events: list[tuple[str, Any, str]], cut: int, cut_resumes: int | None = None
    ) -> None:
        self.events = events
        self.cut = cut
        self.cut_resumes = cut_resumes
        self.resumed_after: list[str | None] = []

    def _body(self, events: list[tuple[str, Any, str]], cut: int | None) -> RecordingStream:
        blocks = [sse(name, data, id=id_) for name, data, id_ in events]
        if cut is None or cut >= len(blocks):
            return RecordingStream(blocks)
        return RecordingStream(blocks[:cut], error=httpx.RemoteProtocolError("peer closed"))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        location = {"content-location": "/threads/T/runs/R"}
        if request.method == "POST":
            return sse_response(stream=self._body(self.events, self.cut), headers=location)
        after = request.headers.get("last-event-id")
        self.resumed_after.append(after)
        run = [SSEEvent(name, data, id_) for name, data, id_ in self.events]
        replayed = [(e.event, e.data, e.id or "") for e in replay(run, after)]
        return sse_response(stream=self._body(replayed, self.cut_resumes))


EVENT_LOG = [
    ("metadata", {"run_id": "R"}, "1-0"),
    ("values", 1, "2-0"),
    ("values", 2, "3-0"),
    ("values", 3, "4-0"),
    ("values", 4, "5-0"),
]


@pytest.mark.parametrize("cut", [1, 2, 3, 4])
async def test_resume_after_a_break_delivers_every_event_once(
    mock: MockFactory, no_retry_delay: None, cut: int
) -> None:
    server = FakeRunServer(EVENT_LOG, cut=cut)
    reconnects: list[tuple[int, str | None]] = []
    client, requests = mock(server, api_key="k")
    stream = client.runs.stream(
        "T",
        "agent",
        stream_resumable=True,
        on_reconnect=lambda n, last: reconnects.append((n, last)),
        headers={"x-call": "1"},
    )
    parts = await drain(stream)
    assert [(p.event, p.data, p.id) for p in parts] == EVENT_LOG
    assert reconnects == [(1, EVENT_LOG[cut - 1][2])]
    assert stream.reconnects == 1
    assert stream.last_event_id == "5-0"
    resume = requests[1]
    assert (resume.method, resume.url.path) == ("GET", "/threads/T/runs/R/stream")
    # It resumes from a delivered id (or the start), never past the last delivered one.
    delivered = [id_ for _, _, id_ in EVENT_LOG[:cut]]
    assert server.resumed_after[0] in [*delivered, "0"]
    assert resume.headers["x-call"] == "1"
    assert resume.headers["x-api-key"] == "k"
    assert resume.content == b""


async def test_resume_with_ids_shared_by_several_events(
    mock: MockFactory, no_retry_delay: None
) -> None:
    # The in-memory server stamps `<ms>-0`: every event of one millisecond shares its id.
    log = [
        ("metadata", {"run_id": "R"}, "7-0"),
        ("values", 1, "8-0"),
        ("values", 2, "8-0"),
        ("values", 3, "8-0"),
        ("values", 4, "9-0"),
    ]
    server = FakeRunServer(log, cut=3)
    client, _ = mock(server)
    parts = await drain(client.runs.stream("T", "agent", stream_resumable=True))
    assert [(p.event, p.data, p.id) for p in parts] == log


async def test_resume_twice(mock: MockFactory, no_retry_delay: None) -> None:
    server = FakeRunServer(EVENT_LOG, cut=2, cut_resumes=2)
    client, requests = mock(server)
    stream = client.runs.stream("T", "agent", stream_resumable=True)
    parts = await drain(stream)
    assert [(p.event, p.data, p.id) for p in parts] == EVENT_LOG
    assert stream.reconnects == len(requests) - 1 >= 2


async def test_break_without_ids_is_not_resumed_to_avoid_duplicates(
    mock: MockFactory, no_retry_delay: None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = RecordingStream([sse("values", 1)], error=httpx.ReadError("reset"))
        return sse_response(stream=body, headers={"content-location": "/threads/T/runs/R"})

    client, requests = mock(handler)
    with pytest.raises(APIConnectionError):
        await drain(client.runs.stream("T", "agent", stream_resumable=True))
    assert len(requests) == 1


async def test_not_resumable_stream_raises_the_connection_error(
    mock: MockFactory, no_retry_delay: None
) -> None:
    body = RecordingStream([sse("values", 1, id="1-0")], error=httpx.ReadError("reset"))
    client, requests = mock(
        lambda r: sse_response(stream=body, headers={"content-location": "/threads/T/runs/R"})
    )
    with pytest.raises(APIConnectionError) as info:
        await drain(client.runs.stream("T", "agent"))
    assert not isinstance(info.value, StreamLostError)
    assert len(requests) == 1


async def test_resume_gives_up_after_max_reconnects(
    mock: MockFactory, no_retry_delay: None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = RecordingStream([sse("values", 1, id="1-0")], error=httpx.ReadError("reset"))
            return sse_response(stream=body, headers={"content-location": "/threads/T/runs/R"})
        raise httpx.ConnectError("refused", request=request)

    client, requests = mock(handler)
    stream = client.runs.stream("T", "agent", stream_resumable=True, max_reconnects=3)
    with pytest.raises(StreamLostError) as info:
        await drain(stream)
    assert info.value.attempts == 3
    assert info.value.last_event_id == "1-0"
    assert len(requests) == 1 + 3


async def test_resume_that_finds_no_run_raises_not_found(
    mock: MockFactory, no_retry_delay: None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = RecordingStream([sse("values", 1, id="1-0")], error=httpx.ReadError("reset"))
            return sse_response(stream=body, headers={"content-location": "/threads/T/runs/R"})
        return httpx.Response(404, json={"detail": "run not found"})

    client, _ = mock(handler)
    with pytest.raises(NotFoundError, match="run not found"):
        await drain(client.runs.stream("T", "agent", stream_resumable=True))


async def test_join_stream_request(mock: MockFactory) -> None:
    client, requests = mock(lambda r: sse_response(sse("values", 1, id="9-0")))
    parts = await drain(
        client.runs.join_stream(
            "T",
            "R",
            last_event_id="8-0",
            stream_mode=["values", "updates"],
            cancel_on_disconnect=True,
            headers={"x-call": "1"},
        )
    )
    assert parts == [StreamPart("values", 1, "9-0")]
    request = requests[0]
    assert (request.method, request.url.path) == ("GET", "/threads/T/runs/R/stream")
    assert request.headers["last-event-id"] == "8-0"
    assert request.headers["x-call"] == "1"
    # One parameter: the server reads a single value (issue 8, bug 2).
    assert request.url.params.multi_items() == [
        ("stream_mode", '["values","updates"]'),
        ("cancel_on_disconnect", "true"),
    ]


async def test_join_stream_from_minus_one_asks_for_zero(mock: MockFactory) -> None:
    """`-1` (the official SDK's "from the start") reaches only one worker's memory on the
    Postgres runtime; `0` replays the whole run everywhere."""
    client, requests = mock(lambda r: sse_response(sse("values", 1, id="9-0")))
    stream = client.runs.join_stream("T", "R", last_event_id="-1")
    assert await drain(stream) == [StreamPart("values", 1, "9-0")]
    assert requests[0].headers["last-event-id"] == "0"


async def test_join_stream_defaults_send_no_options(mock: MockFactory) -> None:
    client, requests = mock(lambda r: sse_response(sse("values", 1)))
    stream = client.runs.join_stream("T", "R")
    assert (stream.run_id, stream.thread_id) == ("R", "T")
    await drain(stream)
    assert requests[0].url.query == b""
    assert "last-event-id" not in requests[0].headers


# A dropped wait


def _dropping_wait(join_result: Any, status: str = "success") -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/wait"):
            body = RecordingStream([b"\n"], error=httpx.RemoteProtocolError("peer closed"))
            return httpx.Response(
                200, stream=body, headers={"content-location": "/threads/T/runs/R"}
            )
        if request.url.path.endswith("/join"):
            return httpx.Response(200, json=join_result)
        return httpx.Response(200, json={"run_id": "R", "thread_id": "T", "status": status})

    return handler


@pytest.mark.parametrize("on_disconnect", ["continue", None, "cancel"])
async def test_dropped_wait_rejoins_and_reads_the_runs_status(
    mock: MockFactory, no_retry_delay: None, on_disconnect: Any
) -> None:
    client, requests = mock(_dropping_wait({"done": True}))
    result = await client.runs.wait("T", "agent", on_disconnect=on_disconnect)
    assert result == {"done": True}
    assert [(r.method, r.url.path) for r in requests] == [
        ("POST", "/threads/T/runs/wait"),
        ("GET", "/threads/T/runs/R/join"),
        ("GET", "/threads/T/runs/R"),
    ]


@pytest.mark.parametrize("status", ["interrupted", "timeout"])
async def test_dropped_wait_whose_run_was_stopped_raises_run_cancelled(
    mock: MockFactory, no_retry_delay: None, status: str
) -> None:
    # The join of a stopped run answers its half-finished state: never a result.
    client, _ = mock(_dropping_wait({"messages": ["half"]}, status))
    with pytest.raises(RunCancelledError) as info:
        await client.runs.wait("T", "agent", on_disconnect="cancel")
    assert (info.value.run_id, info.value.thread_id, info.value.status) == ("R", "T", status)
    assert isinstance(info.value, APIConnectionError)  # what a dropped wait raised before


async def test_rejoined_wait_still_reports_run_failure(
    mock: MockFactory, no_retry_delay: None
) -> None:
    from langgraph_client import RunFailedError

    client, _ = mock(_dropping_wait({"__error__": {"error": "E", "message": "m"}}))
    with pytest.raises(RunFailedError) as info:
        await client.runs.wait("T", "agent", on_disconnect="continue")
    assert (info.value.run_id, info.value.thread_id) == ("R", "T")
