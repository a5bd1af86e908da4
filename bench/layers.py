"""Where the time of 1,000 concurrent waits goes, layer by layer, in one process.

    bench/.venv/bin/python -m bench.layers          # with the cyclic GC as usual
    bench/.venv/bin/python -m bench.layers --no-gc  # GC off while each round runs

Starts the canned server, then times ``asyncio.gather`` of 1,000 waits through: raw asyncio
(the floor), a bare ``aiohttp.ClientSession``, an ``httpx.AsyncClient`` on this library's
aiohttp transport, this client on ``DefaultAioHttpClient``, and an ``httpx.AsyncClient`` on its
default transport. Connections stay warm between rounds; best of 5 rounds, interleaved.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.server import BenchServer
from bench.worker import RawAsyncio

N = 1000
HEADERS = {"content-type": "application/json"}


async def _round(fn: Callable[[], Awaitable[Any]], no_gc: bool) -> float:
    await fn()
    if no_gc:
        gc.disable()
    start = time.perf_counter()
    await asyncio.gather(*(fn() for _ in range(N)))
    took = time.perf_counter() - start
    gc.enable()
    return took


async def measure(url: str, no_gc: bool, rounds: int = 5) -> dict[str, float]:
    import aiohttp
    import httpx
    import orjson

    from langgraph_client import DefaultAioHttpClient, get_client
    from langgraph_client._aiohttp import AioHttpTransport

    body = orjson.dumps({"assistant_id": "agent", "input": {"x": 1}})
    floor = RawAsyncio(url)
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
    )
    on_aiohttp = httpx.AsyncClient(transport=AioHttpTransport())
    http = DefaultAioHttpClient()
    client = get_client(url=url, api_key=None, http_client=http)
    default = httpx.AsyncClient(limits=httpx.Limits(max_connections=N))

    async def raw() -> Any:
        return await floor.wait({"x": 1})

    async def bare_aiohttp() -> Any:
        async with session.post(url + "/runs/wait", data=body, headers=HEADERS) as response:
            return orjson.loads(await response.read())

    async def httpx_on_aiohttp() -> Any:
        response = await on_aiohttp.post(url + "/runs/wait", content=body, headers=HEADERS)
        return orjson.loads(response.content)

    async def ours() -> Any:
        return await client.runs.wait(None, "agent", input={"x": 1})

    async def httpx_default() -> Any:
        response = await default.post(url + "/runs/wait", content=body, headers=HEADERS)
        return orjson.loads(response.content)

    layers = {
        "raw asyncio (the floor)": raw,
        "aiohttp ClientSession": bare_aiohttp,
        "httpx.AsyncClient on our aiohttp transport": httpx_on_aiohttp,
        "langgraph_client on DefaultAioHttpClient": ours,
        "httpx.AsyncClient, default transport": httpx_default,
    }
    best = dict.fromkeys(layers, float("inf"))
    try:
        for _ in range(rounds):
            for name, fn in layers.items():
                best[name] = min(best[name], await _round(fn, no_gc))
                gc.collect()
    finally:
        await session.close()
        await on_aiohttp.aclose()
        await http.aclose()
        await default.aclose()
        await floor.aclose()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.layers", description=__doc__)
    parser.add_argument("--no-gc", action="store_true", help="cyclic GC off while timing")
    args = parser.parse_args()
    with BenchServer() as server:
        best = asyncio.run(measure(server.url, args.no_gc))
    floor = best["raw asyncio (the floor)"]
    for name, seconds in best.items():
        print(f"{name:44} {seconds / N * 1e6:6.0f} us/wait  {seconds / floor:5.2f}x floor")


if __name__ == "__main__":
    main()
