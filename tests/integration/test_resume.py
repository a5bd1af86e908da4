"""Broken connections to the real Agent Server: resumed streams and rejoined waits.

A cuttable TCP proxy sits between the client and the server; cutting it resets the client's
connection mid-run, as a flaky proxy or network would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from langgraph_client import APIConnectionError, Client, StreamLostError
from tests.clients import open_client

from .proxy import CuttableProxy

CHUNKS = {"messages": [{"role": "user", "content": "go"}], "chunks": 12, "chunk_delay": 0.05}


pytestmark = pytest.mark.both_clients


@pytest.fixture
async def proxy(server_url: str) -> AsyncIterator[CuttableProxy]:
    target = urlsplit(server_url)
    p = await CuttableProxy(target.hostname or "127.0.0.1", target.port or 80).start()
    try:
        yield p
    finally:
        await p.stop()


@pytest.fixture
async def client(proxy: CuttableProxy, flavour: str) -> AsyncIterator[Client]:
    async with open_client(flavour, url=proxy.url, api_key=None) as c:
        yield c


@pytest.fixture
async def direct(server_url: str, flavour: str) -> AsyncIterator[Client]:
    async with open_client(flavour, url=server_url, api_key=None) as c:
        yield c


def comparable(parts: list[Any]) -> list[tuple[str, Any]]:
    # The metadata event names the run, which differs between two runs.
    return [(p.event, p.data) for p in parts if p.event != "metadata"]


async def test_resumed_stream_equals_clean_run(
    client: Client, direct: Client, proxy: CuttableProxy
) -> None:
    clean = []
    async with direct.runs.stream(
        str(uuid.uuid4()), "agent", input=CHUNKS, stream_mode="custom", if_not_exists="create"
    ) as stream:
        async for part in stream:
            clean.append(part)

    reconnects: list[tuple[int, str | None]] = []
    resumed = []
    stream = client.runs.stream(
        str(uuid.uuid4()),
        "agent",
        input=CHUNKS,
        stream_mode="custom",
        if_not_exists="create",
        stream_resumable=True,
        on_disconnect="continue",
        on_reconnect=lambda n, last: reconnects.append((n, last)),
    )
    async with stream:
        async for part in stream:
            resumed.append(part)
            if len(resumed) == 4:
                proxy.cut()  # reset the connection mid-run
            assert len(resumed) < 100

    assert comparable(resumed) == comparable(clean)
    ids = [p.id for p in resumed]
    assert len(set(ids)) == len(ids), "an event was delivered twice"
    assert len(reconnects) >= 1 and reconnects[0][1] == resumed[3].id
    assert stream.reconnects == len(reconnects)
    assert proxy.connections >= 2


async def test_unresumable_stream_break_is_typed(client: Client, proxy: CuttableProxy) -> None:
    stream = client.runs.stream(
        str(uuid.uuid4()), "agent", input=CHUNKS, stream_mode="custom", if_not_exists="create"
    )
    got = 0
    with pytest.raises(APIConnectionError) as info:
        async with stream:
            async for _part in stream:
                got += 1
                if got == 3:
                    proxy.cut()
                assert got < 100
    assert not isinstance(info.value, StreamLostError)  # not resumable: no reconnect attempted
    assert proxy.connections == 1


async def test_join_stream_replays_after_last_event_id(direct: Client) -> None:
    tid = str(uuid.uuid4())
    first = []
    async with direct.runs.stream(
        tid,
        "agent",
        input=CHUNKS,
        stream_mode="custom",
        if_not_exists="create",
        stream_resumable=True,
    ) as stream:
        async for part in stream:
            first.append(part)
    run_id = stream.run_id
    assert run_id
    replay = []
    async with direct.runs.join_stream(tid, run_id, last_event_id=first[5].id) as joined:
        async for part in joined:
            replay.append(part)
            assert len(replay) < 100
    assert comparable(replay) == comparable(first[6:])


async def test_wait_rejoins_after_drop(client: Client, proxy: CuttableProxy) -> None:
    tid = str(uuid.uuid4())
    created = asyncio.Event()

    async def cut_when_created() -> None:
        await asyncio.wait_for(created.wait(), 10)
        await asyncio.sleep(0.2)
        proxy.cut()

    cutter = asyncio.ensure_future(cut_when_created())
    loop = asyncio.get_running_loop()
    result = await client.runs.wait(
        tid,
        "agent",
        input={"messages": [{"role": "user", "content": "slow"}], "sleep": 1.5},
        if_not_exists="create",
        on_disconnect="continue",
        # Thread-safe: the sync client calls back from its own thread.
        on_run_created=lambda _meta: loop.call_soon_threadsafe(created.set),
    )
    await cutter
    assert isinstance(result, dict)
    assert result["messages"][-1]["content"] == "echo: slow"
    assert proxy.connections >= 2  # the result came through a second connection (join)


async def test_resume_inside_a_group_of_shared_ids(
    client: Client, direct: Client, proxy: CuttableProxy
) -> None:
    # Without delays, many events share a millisecond and so an id on this server: resuming
    # after such an id must neither skip nor repeat the group's other events.
    tid = str(uuid.uuid4())
    burst = {"messages": [{"role": "user", "content": "go"}], "chunks": 60, "chunk_delay": 0}
    async with direct.runs.stream(
        tid,
        "agent",
        input=burst,
        stream_mode="custom",
        if_not_exists="create",
        stream_resumable=True,
    ) as stream:
        clean = [part async for part in stream]
    ids = [p.id for p in clean]
    assert len(set(ids)) < len(ids), "no shared ids: the scenario was not exercised"
    assert stream.run_id

    proxy.cut_after_bytes = 1200  # the first connection breaks mid-body, the resume does not
    async with client.runs.join_stream(tid, stream.run_id, last_event_id="-1") as joined:
        replay = [part async for part in joined]
    assert proxy.cuts == 1 and joined.reconnects == 1
    assert [(p.event, p.data, p.id) for p in replay] == [(p.event, p.data, p.id) for p in clean]
