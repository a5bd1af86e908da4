"""Threads, assistants, crons and the store against the real in-memory Agent Server.

Every test tags what it creates with a fresh id and filters on it, so the shared session server
can hold anything else.

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
    APIStatusError,
    Client,
    ConflictError,
    NotFoundError,
    StreamPart,
)
from tests.clients import open_client


def msg(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


@pytest.fixture
async def client(server_url: str, flavour: str) -> AsyncIterator[Client]:
    async with open_client(flavour, url=server_url, api_key=None) as c:
        yield c


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex


async def default_assistant_id(client: Client, graph_id: str = "agent") -> str:
    (assistant,) = await client.assistants.search(
        graph_id=graph_id, metadata={"created_by": "system"}
    )
    return assistant["assistant_id"]


# Threads


@pytest.mark.both_clients
async def test_thread_round_trip(client: Client, tag: str) -> None:
    thread = await client.threads.create(metadata={"suite": tag}, graph_id="agent")
    tid = thread["thread_id"]
    assert thread["metadata"] == {"suite": tag, "graph_id": "agent"}
    assert thread["status"] == "idle"

    assert (await client.threads.get(tid))["thread_id"] == tid
    updated = await client.threads.update(tid, metadata={"extra": 1})
    assert updated["metadata"] == {"suite": tag, "graph_id": "agent", "extra": 1}

    found = await client.threads.search(metadata={"suite": tag})
    assert [t["thread_id"] for t in found] == [tid]
    assert await client.threads.count(metadata={"suite": tag}) == 1
    (only_id,) = await client.threads.search(metadata={"suite": tag}, select=["thread_id"])
    assert dict(only_id) == {"thread_id": tid}

    copy = await client.threads.copy(tid)
    assert copy["thread_id"] != tid
    assert await client.threads.count(metadata={"suite": tag}) == 2
    assert await client.threads.prune([copy["thread_id"]]) == {"pruned_count": 1}

    await client.threads.delete(tid)
    with pytest.raises(NotFoundError):
        await client.threads.get(tid)
    assert await client.threads.count(metadata={"suite": tag}) == 0


@pytest.mark.both_clients
async def test_thread_create_if_exists(client: Client) -> None:
    tid = str(uuid.uuid4())
    first = await client.threads.create(thread_id=tid, metadata={"n": 1})
    again = await client.threads.create(thread_id=tid, if_exists="do_nothing", metadata={"n": 2})
    assert again["thread_id"] == tid and again["metadata"] == first["metadata"]
    with pytest.raises(ConflictError):
        await client.threads.create(thread_id=tid)
    await client.threads.delete(tid)


@pytest.mark.both_clients
async def test_thread_ttl_is_accepted(client: Client) -> None:
    # The in-memory server takes TTLs but does not report them back (`include=["ttl"]`).
    thread = await client.threads.create(ttl=60)
    tid = thread["thread_id"]
    await client.threads.update(tid, ttl={"ttl": 30, "strategy": "keep_latest"})
    got = await client.threads.get(tid, include=["ttl"])
    assert got["thread_id"] == tid
    await client.threads.delete(tid)


@pytest.mark.both_clients
async def test_thread_search_all_pages_through_everything(client: Client, tag: str) -> None:
    created = {
        (await client.threads.create(metadata={"suite": tag}))["thread_id"] for _ in range(5)
    }
    pager = client.threads.search_all(metadata={"suite": tag}, page_size=2)
    seen = [t["thread_id"] async for t in pager]
    assert sorted(seen) == sorted(created)  # each exactly once
    assert pager.pages == 3
    capped = [t async for t in client.threads.search_all(metadata={"suite": tag}, max_items=3)]
    assert len(capped) == 3
    assert await client.threads.prune(list(created)) == {"pruned_count": 5}


async def test_state_and_history_after_runs(client: Client) -> None:
    tid = (await client.threads.create())["thread_id"]
    for text in ("one", "two", "three"):
        await client.runs.wait(tid, "agent", input=msg(text))

    state = await client.threads.get_state(tid)
    assert state["values"]["count"] == 3  # type: ignore[call-overload]
    assert state["next"] == []
    latest_id = state["checkpoint"]["checkpoint_id"]  # type: ignore[index]

    history = await client.threads.get_history(tid, limit=100)
    assert history[0]["checkpoint"]["checkpoint_id"] == latest_id  # type: ignore[index]
    assert len(history) >= 3 * 3  # input, prepare, respond per run
    assert len(await client.threads.get_history(tid, limit=2)) == 2

    older = await client.threads.get_history(tid, limit=100, before=latest_id)
    assert [s["checkpoint"] for s in older] == [s["checkpoint"] for s in history[1:]]
    previous = history[1]["checkpoint"]
    assert previous is not None
    assert (await client.threads.get_history(tid, limit=1, before=previous))[0] == history[2]

    loops = await client.threads.get_history(tid, limit=100, metadata={"source": "input"})
    assert len(loops) == 3

    at_id = await client.threads.get_state(tid, checkpoint_id=previous["checkpoint_id"])
    at_dict = await client.threads.get_state(tid, previous)
    ids = [state["checkpoint"]["checkpoint_id"] for state in (at_id, at_dict, history[1])]  # type: ignore[index]
    assert ids == [previous["checkpoint_id"]] * 3
    assert at_id["values"] == history[1]["values"]

    written = await client.threads.update_state(tid, {"count": 41}, as_node="respond")
    assert written["checkpoint"]["checkpoint_id"] != latest_id
    assert (await client.threads.get_state(tid))["values"]["count"] == 41  # type: ignore[call-overload]

    forked = await client.threads.update_state(
        tid, {"count": 7}, checkpoint=previous, as_node="respond"
    )
    fork_state = await client.threads.get_state(
        tid, checkpoint_id=forked["checkpoint"]["checkpoint_id"]
    )
    assert fork_state["parent_checkpoint"]["checkpoint_id"] == previous["checkpoint_id"]  # type: ignore[index]
    await client.threads.delete(tid)


async def test_get_state_of_an_interrupted_nested_run(client: Client) -> None:
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "nested", input=msg("hi"), interrupt_before=["inner"])
    state = await client.threads.get_state(tid, subgraphs=True)
    assert state["next"] == ["inner"]
    assert [task["name"] for task in state["tasks"]] == ["inner"]
    thread = await client.threads.get(tid)
    assert thread["status"] == "interrupted"
    assert [
        t["thread_id"] for t in await client.threads.search(ids=[tid], status="interrupted")
    ] == [tid]
    await client.threads.delete(tid)


@pytest.mark.both_clients
async def test_join_stream_sees_a_run(client: Client) -> None:
    tid = (await client.threads.create())["thread_id"]
    parts: list[StreamPart] = []

    async def read() -> None:
        async with await client.threads.join_stream(tid, stream_mode="run_modes") as stream:
            async for part in stream:
                parts.append(part)
                if part.event == "metadata" and part.data.get("status") == "run_done":
                    return

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.5)  # the stream only carries what happens after it opened
    run = await client.runs.create(tid, "agent", input=msg("joined"))
    await asyncio.wait_for(reader, 30)

    events = [p.event for p in parts]
    assert events[0] == "metadata" and parts[0].data["run_id"] == run["run_id"]
    assert "values" in events
    assert parts[-2].data["messages"][-1] == {"role": "assistant", "content": "echo: joined"}
    assert all(p.id for p in parts)

    # Joining again after the last event seen: the next run's events, none of the old ones.
    seen = {p.id for p in parts}
    later: list[StreamPart] = []

    async def read_next() -> None:
        async with await client.threads.join_stream(tid, last_event_id=parts[-1].id) as again:
            async for part in again:
                later.append(part)
                if part.event == "metadata" and part.data.get("status") == "run_done":
                    return

    reader = asyncio.create_task(read_next())
    await asyncio.sleep(0.5)
    second = await client.runs.create(tid, "agent", input=msg("again"))
    await asyncio.wait_for(reader, 30)
    assert later[0].data["run_id"] == second["run_id"]
    assert not seen & {p.id for p in later}
    await client.threads.delete(tid)


@pytest.mark.both_clients
@pytest.mark.parametrize("hostile", ["../assistants/search", "a/b", "..", ".", "%2e%2e"])
async def test_hostile_thread_ids_never_reach_another_resource(
    client: Client, hostile: str
) -> None:
    with pytest.raises(APIStatusError) as caught:
        await client.threads.get(hostile)
    assert caught.value.status_code in (404, 422)
    with pytest.raises(APIStatusError) as caught:
        await client.threads.get_state(hostile)
    assert caught.value.status_code in (404, 422)


# Assistants


@pytest.mark.both_clients
async def test_assistant_round_trip(client: Client, tag: str) -> None:
    bot = await client.assistants.create(
        "agent",
        {"configurable": {"k": 1}},
        metadata={"suite": tag},
        name="bot",
        description="first",
    )
    aid = bot["assistant_id"]
    assert (bot["graph_id"], bot["name"], bot["version"]) == ("agent", "bot", 1)
    assert (await client.assistants.get(aid))["description"] == "first"

    graph = await client.assistants.get_graph(aid)
    assert {n["id"] for n in graph["nodes"]} >= {"__start__", "prepare", "respond", "__end__"}
    assert (await client.assistants.get_graph(aid, xray=True))["nodes"]
    schemas = await client.assistants.get_schemas(aid)
    assert schemas["graph_id"] == "agent"
    assert "messages" in (schemas["state_schema"] or {}).get("properties", {})

    updated = await client.assistants.update(aid, name="bot2", metadata={"more": 1})
    assert (updated["name"], updated["version"]) == ("bot2", 2)
    versions = await client.assistants.get_versions(aid)
    assert sorted(v["version"] for v in versions) == [1, 2]
    rolled_back = await client.assistants.set_latest(aid, 1)
    assert (rolled_back["version"], rolled_back["name"]) == (1, "bot")

    assert [a["assistant_id"] for a in await client.assistants.search(metadata={"suite": tag})] == [
        aid
    ]
    assert await client.assistants.count(metadata={"suite": tag}) == 1
    page = await client.assistants.search(metadata={"suite": tag}, response_format="object")
    assert [a["assistant_id"] for a in page["assistants"]] == [aid]
    assert page["next"] is None
    assert [
        a["assistant_id"] async for a in client.assistants.search_all(metadata={"suite": tag})
    ] == [aid]

    again = await client.assistants.create("agent", assistant_id=aid, if_exists="do_nothing")
    assert again["assistant_id"] == aid
    with pytest.raises(ConflictError):
        await client.assistants.create("agent", assistant_id=aid, if_exists="raise")

    await client.assistants.delete(aid)
    with pytest.raises(NotFoundError):
        await client.assistants.get(aid)


@pytest.mark.both_clients
async def test_assistant_subgraphs(client: Client) -> None:
    aid = await default_assistant_id(client, "nested")
    subgraphs = await client.assistants.get_subgraphs(aid)
    assert "inner" in subgraphs
    assert await client.assistants.get_subgraphs(aid, "inner", recurse=True) == {
        "inner": subgraphs["inner"]
    }
    assert await client.assistants.get_subgraphs(await default_assistant_id(client)) == {}


@pytest.mark.both_clients
async def test_assistant_search_all_pages(client: Client, tag: str) -> None:
    ids = {
        (await client.assistants.create("agent", metadata={"suite": tag}))["assistant_id"]
        for _ in range(3)
    }
    found = [
        a["assistant_id"]
        async for a in client.assistants.search_all(metadata={"suite": tag}, page_size=2)
    ]
    assert sorted(found) == sorted(ids)
    for aid in ids:
        await client.assistants.delete(aid)


# Crons


@pytest.mark.both_clients
async def test_cron_round_trip(client: Client, tag: str) -> None:
    aid = await default_assistant_id(client)
    cron = await client.crons.create(
        aid, schedule="0 0 1 1 *", input=msg("cron"), metadata={"suite": tag}, timezone="UTC"
    )
    cid = cron["cron_id"]
    assert (cron["schedule"], cron["thread_id"], cron["metadata"]) == (
        "0 0 1 1 *",
        None,
        {"suite": tag},
    )

    tid = (await client.threads.create())["thread_id"]
    on_thread = await client.crons.create_for_thread(
        tid, aid, schedule="0 0 1 1 *", metadata={"suite": tag}
    )
    assert on_thread["thread_id"] == tid

    found = await client.crons.search(metadata={"suite": tag})
    assert {c["cron_id"] for c in found} == {cid, on_thread["cron_id"]}
    assert [c["cron_id"] for c in await client.crons.search(thread_id=tid)] == [
        on_thread["cron_id"]
    ]
    assert await client.crons.count(thread_id=tid) == 1
    all_found = [
        c["cron_id"] async for c in client.crons.search_all(metadata={"suite": tag}, page_size=1)
    ]
    assert sorted(all_found) == sorted([cid, on_thread["cron_id"]])

    paused = await client.crons.update(cid, enabled=False, schedule="0 0 2 1 *")
    assert (paused["enabled"], paused["schedule"]) == (False, "0 0 2 1 *")
    assert [
        c["cron_id"] for c in await client.crons.search(metadata={"suite": tag}, enabled=False)
    ] == [cid]

    await client.crons.delete(cid)
    await client.crons.delete(on_thread["cron_id"])
    assert await client.crons.search(metadata={"suite": tag}) == []
    with pytest.raises(NotFoundError):
        await client.crons.delete(cid)
    await client.threads.delete(tid)


# Store


@pytest.mark.both_clients
async def test_store_round_trip(client: Client, tag: str) -> None:
    ns = ["suite", tag]
    for i in range(5):
        await client.store.put_item([*ns, f"u{i % 2}"], f"k{i}", {"i": i, "even": i % 2 == 0})

    item = await client.store.get_item([*ns, "u0"], "k0")
    assert item is not None
    assert (item["namespace"], item["key"], item["value"]) == (
        [*ns, "u0"],
        "k0",
        {"i": 0, "even": True},
    )
    assert await client.store.get_item([*ns, "u0"], "missing") is None

    found = await client.store.search_items(ns, filter={"even": True}, limit=10)
    assert sorted(i["key"] for i in found["items"]) == ["k0", "k2", "k4"]
    assert len((await client.store.search_items(ns, limit=2))["items"]) == 2

    everything = [i["key"] async for i in client.store.search_all_items(ns, page_size=2)]
    assert sorted(everything) == ["k0", "k1", "k2", "k3", "k4"]

    namespaces = await client.store.list_namespaces(prefix=ns)
    assert sorted(namespaces["namespaces"]) == [[*ns, "u0"], [*ns, "u1"]]
    assert (await client.store.list_namespaces(prefix=ns, max_depth=2))["namespaces"] == [ns]

    await client.store.delete_item([*ns, "u0"], "k0")
    assert await client.store.get_item([*ns, "u0"], "k0") is None
    for i in range(1, 5):
        await client.store.delete_item([*ns, f"u{i % 2}"], f"k{i}")
    assert (await client.store.search_items(ns))["items"] == []
