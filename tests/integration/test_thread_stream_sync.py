"""The generated sync `client.threads.stream(...)` against the real Agent Server: the same flows
as test_thread_stream.py, with `with`, plain iteration, `thread.output` and `values.get()`.

Each test runs under pytest-timeout; every loop is bounded by `collect`'s limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from langgraph_client import RunFailedError, SyncClient, ThreadCommandError, get_sync_client

from .test_thread_stream import msg, run_in_server_venv


def collect(iterable: Iterable[Any], limit: int = 500) -> list[Any]:
    items = []
    for item in iterable:
        items.append(item)
        assert len(items) <= limit, "projection did not end"
    return items


@pytest.fixture
def client(server_url: str) -> Iterator[SyncClient]:
    with get_sync_client(url=server_url, api_key=None) as c:
        yield c


def test_run_start_values_and_output(client: SyncClient) -> None:
    with client.threads.stream(assistant_id="stream_agent") as thread:
        started = thread.run.start(input=msg("hi"))
        states = collect(thread.values)
        output = thread.output
        assert thread.values.get() == output
    assert isinstance(started["run_id"], str)
    assert states[-1] == output
    assert output["messages"][-1] == {"role": "assistant", "content": "echo: hi"}
    assert client.threads.get_state(thread.thread_id)["values"]["messages"] == output["messages"]


def test_two_runs_a_failure_and_an_interrupt_in_one_session(client: SyncClient) -> None:
    with client.threads.stream(assistant_id="stream_agent") as thread:
        thread.run.start(input=msg("one"))
        first = thread.output
        thread.run.start(input=msg("two"))
        second = thread.output
        thread.run.start(input=msg("x", fail=True))
        with pytest.raises(RunFailedError, match="boom"):
            _ = thread.output
        thread.run.start(input=msg("three", interrupt=True))
        paused = thread.output
        assert thread.interrupted and paused["messages"][-1]["content"] == "three"
        [interrupt] = thread.interrupts
        with pytest.raises(ThreadCommandError):
            thread.run.respond("no", interrupt_id="not-an-interrupt")
        thread.run.respond("yes")
        resumed = thread.output
    assert first["messages"][-1]["content"] == "echo: one"
    assert second["messages"][-1]["content"] == "echo: two"
    assert interrupt["value"] == {"question": "approve?", "text": "three"}
    assert resumed["messages"][-1]["content"] == "echo: three (resume: yes)"


def test_custom_updates_and_a_subgraph_handle(client: SyncClient) -> None:
    with client.threads.stream(assistant_id="stream_agent") as thread:
        thread.run.start(input=msg("hi", chunks=2, chunk_delay=0.01))
        custom = collect(thread.subscribe(["custom"]))
        updates = collect(thread.subscribe(["updates"]))
    assert [e["params"]["data"] for e in custom] == [{"chunk": 0, "of": 2}, {"chunk": 1, "of": 2}]
    assert [list(e["params"]["data"]) for e in updates] == [["prepare"], ["respond"]]
    with client.threads.stream(assistant_id="stream_nested") as thread:
        thread.run.start(input=msg("hi"))
        [inner] = collect(thread.subgraphs)
        values = collect(inner.values)
    assert inner.graph_name == "inner" and values[-1] == {"reply": "echo: hi"}


def test_tokens_and_tool_calls(client: SyncClient) -> None:
    with client.threads.stream(assistant_id="stream_chat") as thread:
        thread.run.start(input=msg("hi there", tool=True))
        calls = collect(thread.tool_calls)
        deltas = [collect(m) for m in thread.messages]
        finals = [m.get() for m in thread.messages]
        texts = [m.text.get() for m in thread.messages]
    assert [(c.name, c.output) for c in calls] == [("shout", "HI THERE")]
    assert "".join(deltas[-1]) == "echo: HI THERE" and len(deltas[-1]) > 1
    assert [(m["role"], m["content"]) for m in finals] == [
        ("tool", "HI THERE"),
        ("ai", "echo: HI THERE"),
    ]
    assert texts == ["HI THERE", "echo: HI THERE"]


def test_leaving_early_and_attaching_to_the_thread(client: SyncClient) -> None:
    thread_id = str(uuid.uuid4())
    with client.threads.stream(thread_id, assistant_id="stream_agent") as thread:
        thread.run.start(input=msg("old", chunks=5, chunk_delay=0.02))
        for _event in thread.events:
            break
    with pytest.raises(RuntimeError, match="closed"):
        thread.run.start(input=msg("again"))
    with client.threads.stream(thread_id, assistant_id="stream_agent") as thread:
        thread.run.start(input=msg("new"))
        events = collect(thread.events)
        output = thread.output
    lifecycle = [
        e["params"]["data"]["event"]
        for e in events
        if e["method"] == "lifecycle" and not e["params"]["namespace"]
    ]
    assert lifecycle == ["running", "completed"]
    assert output["messages"][-1]["content"] == "echo: new"


def test_remote_graph_sync_v3_events_through_this_client(server_url: str) -> None:
    script = f"""
import json
from langgraph.pregel.remote import RemoteGraph
from langgraph_client import get_sync_client

with get_sync_client(url={server_url!r}, api_key=None) as client:
    graph = RemoteGraph("stream_agent", sync_client=client)
    with graph.stream_events(
        {{"messages": [{{"role": "user", "content": "hi"}}], "chunks": 2}}, version="v3"
    ) as run:
        values = list(run.values)
        output = run.output  # a property on the sync adapter
    with graph.stream_events(
        {{"messages": [{{"role": "user", "content": "hi"}}]}}, version="v3"
    ) as run:
        names = [name for name, _ in run.interleave("values", "updates")]
print(json.dumps([len(values), output["messages"][-1]["content"], names]))
"""
    count, reply, names = run_in_server_venv(script)
    assert count >= 2 and reply == "echo: hi"
    assert names == ["values", "updates", "values", "updates", "values"]
