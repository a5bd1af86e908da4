"""The real Agent Server becomes unreachable mid-run (the proxy stops listening: connections are
refused) and comes back `OUTAGE` seconds later: stream, wait and join must finish, each event once.

`LGC_OUTAGE_SECONDS` sets the outage (default 6 s, to keep the suite fast); with `-s` each test
prints how long the client took to get going again after the server came back.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from langgraph_client import Client, ReconnectPolicy, get_client

from .proxy import CuttableProxy

OUTAGE = float(os.environ.get("LGC_OUTAGE_SECONDS", "6"))
CHUNKS = 30
INPUT = {"messages": [{"role": "user", "content": "go"}], "chunks": CHUNKS, "chunk_delay": 0.2}

pytestmark = pytest.mark.timeout(60 + 2 * OUTAGE)


@pytest.fixture
async def proxy(server_url: str) -> AsyncIterator[CuttableProxy]:
    target = urlsplit(server_url)
    p = await CuttableProxy(target.hostname or "127.0.0.1", target.port or 80).start()
    try:
        yield p
    finally:
        await p.stop()


@pytest.fixture
async def client(proxy: CuttableProxy) -> AsyncIterator[Client]:
    async with get_client(url=proxy.url, api_key=None) as c:
        yield c


class Outage:
    """Takes the proxy down now and brings it up `seconds` later, in the background."""

    def __init__(self, proxy: CuttableProxy, seconds: float) -> None:
        self.proxy = proxy
        self.seconds = seconds
        self.back_at: float | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.proxy.down()
        self._task = asyncio.create_task(self._later())

    async def _later(self) -> None:
        await asyncio.sleep(self.seconds)
        await self.proxy.up()
        self.back_at = time.monotonic()

    async def finish(self) -> None:
        if self._task is not None:
            await self._task

    def recovery(self, at: float) -> float:
        assert self.back_at is not None, "the call finished before the server came back"
        return at - self.back_at


def report(what: str, seconds: float) -> None:
    print(f"\n{what}: outage {OUTAGE:g} s, going again {seconds:.2f} s after the server came back")


async def test_resumable_stream_survives_the_outage(client: Client, proxy: CuttableProxy) -> None:
    outage = Outage(proxy, OUTAGE)
    chunks: list[int] = []
    ids: list[str | None] = []
    first_after: float | None = None
    async with client.runs.stream(
        str(uuid.uuid4()),
        "agent",
        input=INPUT,
        stream_mode="custom",
        stream_resumable=True,
        if_not_exists="create",
    ) as stream:
        async for part in stream:
            if part.event != "custom" or "chunk" not in part.data:
                continue
            chunks.append(part.data["chunk"])
            ids.append(part.id)
            if len(chunks) == 3:
                await outage.start()
            elif len(chunks) > 3 and first_after is None:
                first_after = time.monotonic()
    await outage.finish()
    assert chunks == list(range(CHUNKS))  # none lost, none twice
    assert len(set(ids)) == len(ids) or None in ids
    assert stream.reconnects >= 1
    assert first_after is not None
    report("stream", outage.recovery(first_after))


@pytest.mark.parametrize("on_disconnect", ["continue", None])
async def test_wait_survives_the_outage(
    client: Client, proxy: CuttableProxy, on_disconnect: str | None
) -> None:
    outage = Outage(proxy, OUTAGE)

    async def take_down() -> None:
        await asyncio.sleep(1.0)
        await outage.start()

    trigger = asyncio.create_task(take_down())
    options = {"on_disconnect": on_disconnect} if on_disconnect else {}
    result = await client.runs.wait(
        str(uuid.uuid4()), "agent", input=INPUT, if_not_exists="create", **options
    )
    done = time.monotonic()
    await trigger
    await outage.finish()
    assert isinstance(result, dict)
    assert result["messages"][-1]["content"] == "echo: go"
    report("wait", outage.recovery(done))


async def test_join_survives_the_outage(client: Client, proxy: CuttableProxy) -> None:
    thread = str(uuid.uuid4())
    run = await client.runs.create(thread, "agent", input=INPUT, if_not_exists="create")
    outage = Outage(proxy, OUTAGE)

    async def take_down() -> None:
        await asyncio.sleep(1.0)
        await outage.start()

    trigger = asyncio.create_task(take_down())
    patient = client.with_options(reconnect=ReconnectPolicy(max_wait=OUTAGE + 30))
    result = await patient.runs.join(thread, run["run_id"])
    done = time.monotonic()
    await trigger
    await outage.finish()
    assert result["messages"][-1]["content"] == "echo: go"
    report("join", outage.recovery(done))
