"""The same client calls against the real server (graphs in tests/server/graph.py) and against a
`FakeAgentServer` scripted to play those graphs, through the async and the sync client (the
fake's two transports): the results must be the same.

This is what keeps the fake honest: if the server's wire format or semantics move, or the fake
drifts, a scenario here differs. Ids (runs, threads, interrupts, subgraph tasks) are normalised
away; everything else is compared as is.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from langgraph_client import Client, ConflictError, NotFoundError, RunFailedError, get_client
from langgraph_client.testing import FakeAgentServer, RecordedRun, message_chunks
from tests.clients import open_client

UNKNOWN = "00000000-0000-0000-0000-000000000000"
ALL_MODES = ["values", "updates", "custom"]


def _text(run: RecordedRun) -> str:
    messages = (run["input"] or {}).get("messages") or []
    users = [m["content"] for m in messages if m.get("role") in ("user", "human")]
    return users[-1] if users else ""


def _inputs(run: RecordedRun) -> dict[str, Any]:
    return {"messages": list((run["input"] or {}).get("messages") or [])}


def _echo(run: RecordedRun) -> list[tuple[str, Any]]:
    """The `agent` graph's events for one turn on a fresh thread."""
    before = _inputs(run)
    reply = {"role": "assistant", "content": "echo: " + _text(run)}
    return [
        ("values", before),
        ("custom", {"node": "prepare", "count": 1}),
        ("updates", {"prepare": {"count": 1}}),
        ("values", {**before, "count": 1}),
        ("updates", {"respond": {"messages": [reply]}}),
        ("values", {"messages": [*before["messages"], reply], "count": 1}),
    ]


def _flag(name: str) -> Any:
    return lambda run: bool((run["input"] or {}).get(name))


def scripted_fake() -> FakeAgentServer:
    """A fake that plays tests/server/graph.py's `agent`, `nested` and `chat`."""
    fake = FakeAgentServer()
    for graph in ("agent", "nested", "chat"):
        fake.add_assistant(graph)
    fake.on_run(
        "agent", match=_flag("fail"), events=lambda r: _echo(r)[:1], error=("ValueError", "boom")
    )
    fake.on_run(
        "agent",
        match=_flag("interrupt"),
        events=lambda r: _echo(r)[:2],
        result=_inputs,
        interrupt=lambda r: {"question": "approve?", "text": _text(r)},
    )
    resumed = {"role": "assistant", "content": "echo: hi (resume: yes)"}
    fake.on_run(
        "agent",
        match=lambda r: r["command"] == {"resume": "yes"},
        result={"messages": [{"role": "user", "content": "hi"}, resumed], "count": 1},
    )
    fake.on_run("agent", match=_flag("sleep"), events=_echo, interval=0.3)
    fake.on_run("agent", events=_echo)
    fake.on_run(
        "nested",
        events=lambda r: [
            ("custom", {"node": "outer"}),
            ("updates", {"outer": {"reply": ""}}),
            ("custom|inner:task", {"node": "inner_step"}),
            ("updates|inner:task", {"inner_step": {"reply": "echo: " + _text(r)}}),
            ("updates", {"inner": {"reply": "echo: " + _text(r)}}),
        ],
    )
    fake.on_run("chat", events=message_chunks(["echo:", " ", "hello", " ", "there"]))
    return fake


HI = {"messages": [{"role": "user", "content": "hi"}]}

_IDS = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{32}")


def _strip(value: Any) -> Any:
    """Ids replaced by a placeholder, subgraph task ids dropped from event names."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strip(v) for v in value]
    if isinstance(value, str):
        return _IDS.sub("<id>", re.sub(r"\|(\w+):[^|]+", r"|\1", value))
    return value


async def _parts(client: Client, *args: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    async with client.runs.stream(*args, **kwargs) as stream:
        return [(p.event, p.data) async for p in stream]


async def observe(client: Client) -> dict[str, Any]:
    """Run every scenario with `client`; return what a user would see."""
    seen: dict[str, Any] = {}
    new = client.threads.create
    seen["wait"] = await client.runs.wait(None, "agent", input=HI)

    created: list[Any] = []
    thread = (await new())["thread_id"]
    parts = await _parts(
        client, thread, "agent", input=HI, stream_mode=ALL_MODES, on_run_created=created.append
    )
    seen["stream"] = parts
    seen["stream on_run_created"] = [c["thread_id"] == thread for c in created]
    seen["thread after stream"] = {
        k: v for k, v in (await client.threads.get(thread)).items() if k in ("status", "values")
    }

    with pytest.raises(RunFailedError) as failed:
        await client.runs.wait((await new())["thread_id"], "agent", input={**HI, "fail": True})
    seen["failed wait"] = (failed.value.error, failed.value.message)
    seen["failed stream"] = await _parts(
        client, None, "agent", input={**HI, "fail": True}, stream_mode="values"
    )

    thread = (await new())["thread_id"]
    seen["interrupted wait"] = await client.runs.wait(
        thread, "agent", input={**HI, "interrupt": True}
    )
    state = await client.threads.get_state(thread)
    # Only the output keys: the real thread's state also holds the graph's input-only channels,
    # which a script does not model.
    messages = state["values"]["messages"]
    seen["interrupted state"] = (messages, [i["value"] for i in state["interrupts"]])
    seen["interrupted status"] = (await client.threads.get(thread))["status"]
    seen["resumed"] = await client.runs.wait(thread, "agent", command={"resume": "yes"})
    seen["resumed status"] = (await client.threads.get(thread))["status"]
    seen["interrupted stream"] = await _parts(
        client, None, "agent", input={**HI, "interrupt": True}, stream_mode=["updates", "values"]
    )

    thread = (await new())["thread_id"]
    run = await client.runs.create(
        thread, "agent", input={**HI, "sleep": 1}, stream_mode=ALL_MODES, stream_resumable=True
    )
    with pytest.raises(ConflictError) as busy:
        await client.runs.create(thread, "agent", input=HI, multitask_strategy="reject")
    seen["busy"] = busy.value.status_code
    seen["join"] = await client.runs.join(thread, run["run_id"])
    async with client.runs.join_stream(thread, run["run_id"], last_event_id="-1") as replay:
        seen["replay"] = [(p.event, p.data) async for p in replay]
    # A join filtered by `stream_mode` (one mode or several) carries no `metadata` event.
    for modes in ("custom", ["updates", "custom"]):
        async with client.runs.join_stream(
            thread, run["run_id"], last_event_id="-1", stream_mode=modes
        ) as replay:
            seen[f"replay {modes}"] = [(p.event, p.data) async for p in replay]
    thread = (await new())["thread_id"]
    run = await client.runs.create(
        thread, "agent", input={**HI, "fail": True}, stream_mode=ALL_MODES, stream_resumable=True
    )
    with pytest.raises(RunFailedError):
        await client.runs.join(thread, run["run_id"])
    # Nor an `error` event: the failed run's filtered replay just ends.
    async with client.runs.join_stream(
        thread, run["run_id"], last_event_id="-1", stream_mode="values"
    ) as replay:
        seen["failed replay values"] = [(p.event, p.data) async for p in replay]

    seen["subgraphs"] = await _parts(
        client, None, "nested", input=HI, stream_mode=["updates", "custom"], stream_subgraphs=True
    )
    tokens = await _parts(
        client,
        None,
        "chat",
        input={"messages": [{"role": "user", "content": "hello there"}]},
        stream_mode="messages-tuple",
    )
    seen["tokens"] = [
        (d[0]["type"], d[0]["content"], d[1]["langgraph_node"])
        for e, d in tokens
        if e == "messages"
    ]

    with pytest.raises(NotFoundError):
        await client.threads.get(UNKNOWN)
    thread = (await new())["thread_id"]
    with pytest.raises(RunFailedError) as missing:
        await client.runs.join(thread, UNKNOWN)
    seen["join unknown"] = (missing.value.error, missing.value.message)
    return _strip(seen)


@pytest.fixture(scope="module")
async def real_seen(server_url: str) -> dict[str, Any]:
    """What the async client sees from the real server (once for both fake flavours)."""
    async with get_client(url=server_url, api_key=None) as client:
        return await asyncio.wait_for(observe(client), 60)


@pytest.mark.both_clients
async def test_the_fake_gives_what_the_real_server_gives(
    real_seen: dict[str, Any], flavour: str
) -> None:
    fake = scripted_fake()
    http: Any = fake.async_client() if flavour == "async" else fake.client()
    async with open_client(flavour, url="http://agent.test", http_client=http, api_key=None) as c:
        fake_seen = await observe(c)
    await http.aclose() if flavour == "async" else http.close()
    assert set(fake_seen) == set(real_seen)
    differ = [key for key in real_seen if fake_seen[key] != real_seen[key]]
    report = [f"{key}:\n  fake {fake_seen[key]}\n  real {real_seen[key]}" for key in differ]
    assert not differ, "\n".join(report)
