"""Runs against the real in-memory Agent Server: wait, stream, create, errors, interrupts.
Tests marked `both_clients` also run against the sync client: those that take their own I/O path
(wait, stream, create and join, errors, an early close, each resource method); the others differ
only in what the server sends, which both clients decode with the same code.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from langgraph_client import (
    Client,
    ConflictError,
    NotFoundError,
    RunFailedError,
    StreamPart,
)
from tests.clients import open_client


def msg(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


@pytest.fixture
async def client(server_url: str, flavour: str) -> AsyncIterator[Client]:
    async with open_client(flavour, url=server_url, api_key=None) as c:
        yield c


async def collect(stream: Any, limit: int = 500) -> list[StreamPart]:
    parts: list[StreamPart] = []
    async with stream:
        async for part in stream:
            parts.append(part)
            assert len(parts) <= limit, "stream did not end"
    return parts


def new_thread() -> str:
    return str(uuid.uuid4())


@pytest.mark.both_clients
async def test_stateless_wait(client: Client) -> None:
    result = await client.runs.wait(None, "agent", input=msg("hi"))
    assert isinstance(result, dict)
    assert result["messages"][-1] == {"role": "assistant", "content": "echo: hi"}
    assert result["count"] == 1


async def test_threaded_wait_keeps_state(client: Client) -> None:
    tid = new_thread()
    first = await client.runs.wait(tid, "agent", input=msg("one"), if_not_exists="create")
    second = await client.runs.wait(tid, "agent", input=msg("two"))
    assert isinstance(first, dict) and isinstance(second, dict)
    assert first["count"] == 1 and second["count"] == 2
    assert [m["content"] for m in second["messages"]] == ["one", "echo: one", "two", "echo: two"]


@pytest.mark.both_clients
async def test_wait_on_run_created_before_return(client: Client) -> None:
    seen: list[Any] = []
    tid = new_thread()
    result = await client.runs.wait(
        tid, "agent", input=msg("x"), if_not_exists="create", on_run_created=seen.append
    )
    assert result
    assert len(seen) == 1 and seen[0]["thread_id"] == tid
    run = await client.runs.get(tid, seen[0]["run_id"])
    assert run["status"] == "success"


@pytest.mark.both_clients
async def test_stream_updates_stateless(client: Client) -> None:
    created: list[Any] = []
    order: list[str] = []

    def on_created(meta: Any) -> None:
        created.append(meta)
        order.append("created")

    stream = client.runs.stream(
        None, "agent", input=msg("hi"), stream_mode="updates", on_run_created=on_created
    )
    parts: list[StreamPart] = []
    async with stream:
        async for part in stream:
            order.append(part.event)
            parts.append(part)
    assert order[0] == "created"
    event, data, _id = parts[0]
    assert event == "metadata" and data["run_id"] == created[0]["run_id"]
    assert [p.data for p in parts[1:]] == [
        {"prepare": {"count": 1}},
        {"respond": {"messages": [{"role": "assistant", "content": "echo: hi"}]}},
    ]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("values", {"values"}),
        ("custom", {"custom"}),
        ("debug", {"debug"}),
        ("tasks", {"tasks"}),
        ("checkpoints", {"checkpoints"}),
    ],
)
async def test_stream_modes(client: Client, mode: Any, expected: set[str]) -> None:
    # On a thread: a stateless run sends no `checkpoints` events on this server.
    parts = await collect(
        client.runs.stream(
            new_thread(), "agent", input=msg("m"), stream_mode=mode, if_not_exists="create"
        )
    )
    names = {p.event for p in parts[1:]}
    assert names == expected
    assert parts[0].event == "metadata"


async def test_stream_several_modes_and_values(client: Client) -> None:
    parts = await collect(
        client.runs.stream(None, "agent", input=msg("m"), stream_mode=["values", "custom"])
    )
    custom = [p.data for p in parts if p.event == "custom"]
    values = [p.data for p in parts if p.event == "values"]
    assert {"node": "prepare", "count": 1} in custom
    assert values[-1]["messages"][-1]["content"] == "echo: m"


async def test_stream_messages_tuple(client: Client) -> None:
    parts = await collect(
        client.runs.stream(None, "chat", input=msg("tokens"), stream_mode="messages-tuple")
    )
    messages = [p for p in parts if p.event == "messages"]
    assert messages, [p.event for p in parts]
    chunk, metadata = messages[0].data
    assert isinstance(chunk, dict) and isinstance(metadata, dict)
    text = "".join(p.data[0].get("content", "") for p in messages)
    assert text


@pytest.mark.both_clients
async def test_stream_subgraphs_namespaced(client: Client) -> None:
    parts = await collect(
        client.runs.stream(
            None, "nested", input=msg("deep"), stream_mode="updates", stream_subgraphs=True
        )
    )
    names = [p.event for p in parts]
    assert "updates" in names
    namespaced = [n for n in names if n.startswith("updates|inner:")]
    assert namespaced, names


@pytest.mark.both_clients
async def test_create_background_then_join(client: Client) -> None:
    seen: list[Any] = []
    tid = new_thread()
    run = await client.runs.create(
        tid, "agent", input=msg("bg"), if_not_exists="create", on_run_created=seen.append
    )
    assert seen == [{"run_id": run["run_id"], "thread_id": tid}]
    result = await client.runs.join(tid, run["run_id"])
    assert result["messages"][-1]["content"] == "echo: bg"


@pytest.mark.both_clients
async def test_create_stateless_reports_thread(client: Client) -> None:
    seen: list[Any] = []
    run = await client.runs.create(None, "agent", input=msg("bg"), on_run_created=seen.append)
    assert seen[0]["run_id"] == run["run_id"]
    assert seen[0]["thread_id"] == run["thread_id"]


@pytest.mark.both_clients
async def test_graph_error_wait_raises(client: Client) -> None:
    tid = new_thread()
    with pytest.raises(RunFailedError) as info:
        await client.runs.wait(
            tid, "agent", input={**msg("x"), "fail": True}, if_not_exists="create"
        )
    err = info.value
    assert err.error == "ValueError" and err.message == "boom"
    assert err.thread_id == tid and err.run_id
    body = await client.runs.wait(
        None, "agent", input={**msg("x"), "fail": True}, raise_error=False
    )
    assert isinstance(body, dict) and body["__error__"]["error"] == "ValueError"


async def test_graph_error_join_raises(client: Client) -> None:
    tid = new_thread()
    run = await client.runs.create(
        tid, "agent", input={**msg("x"), "fail": True}, if_not_exists="create"
    )
    with pytest.raises(RunFailedError) as info:
        await client.runs.join(tid, run["run_id"])
    assert info.value.run_id == run["run_id"] and info.value.message == "boom"


@pytest.mark.both_clients
async def test_graph_error_in_stream(client: Client) -> None:
    parts = await collect(
        client.runs.stream(None, "agent", input={**msg("x"), "fail": True}, stream_mode="updates")
    )
    assert parts[-1].event == "error"
    assert parts[-1].data["error"] == "ValueError"
    with pytest.raises(RunFailedError, match="boom"):
        await collect(
            client.runs.stream(None, "agent", input={**msg("x"), "fail": True}, raise_error=True)
        )


async def test_interrupt_and_resume(client: Client) -> None:
    tid = new_thread()
    paused = await client.runs.wait(
        tid, "agent", input={**msg("ask"), "interrupt": True}, if_not_exists="create"
    )
    assert isinstance(paused, dict)
    interrupts = paused["__interrupt__"]
    assert interrupts[0]["value"] == {"question": "approve?", "text": "ask"}
    done = await client.runs.wait(tid, "agent", command={"resume": "yes"})
    assert isinstance(done, dict)
    assert done["messages"][-1]["content"] == "echo: ask (resume: yes)"


@pytest.mark.both_clients
async def test_busy_thread_conflict(client: Client) -> None:
    tid = new_thread()
    run = await client.runs.create(
        tid, "agent", input={**msg("slow"), "sleep": 3}, if_not_exists="create"
    )
    try:
        for _ in range(50):  # wait until the run is really running (bounded: 5 s)
            if (await client.runs.get(tid, run["run_id"]))["status"] == "running":
                break
            await asyncio.sleep(0.1)
        with pytest.raises(ConflictError) as info:
            await client.runs.wait(tid, "agent", input=msg("x"), multitask_strategy="reject")
        assert info.value.status_code == 409
        assert "busy" in str(info.value).lower() or "running" in str(info.value).lower()
    finally:
        await client.runs.cancel(tid, run["run_id"], wait=True)


@pytest.mark.both_clients
async def test_unknown_thread_404(client: Client) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.runs.wait(str(uuid.uuid4()), "agent", input=msg("x"))
    assert info.value.status_code == 404
    with pytest.raises(NotFoundError):
        await client.runs.get(str(uuid.uuid4()), str(uuid.uuid4()))


@pytest.mark.both_clients
async def test_early_break_closes_stream(client: Client) -> None:
    tid = new_thread()
    stream = client.runs.stream(
        tid,
        "agent",
        input={**msg("long"), "chunks": 40, "chunk_delay": 0.1},
        stream_mode="custom",
        if_not_exists="create",
        on_disconnect="cancel",
    )
    async with stream:
        async for part in stream:
            if part.event == "custom":
                break
    assert stream.response is not None and stream.response.is_closed
    # The server saw the disconnect and, as asked by on_disconnect, cancelled the run.
    status = "running"
    for _ in range(100):  # bounded: 10 s
        status = (await client.runs.get(tid, stream.run_id or ""))["status"]
        if status not in ("pending", "running"):
            break
        await asyncio.sleep(0.1)
    assert status != "success" and status not in ("pending", "running")
    # The client is still usable after the early close.
    assert await client.runs.wait(None, "agent", input=msg("after"))
