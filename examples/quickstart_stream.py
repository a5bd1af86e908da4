"""Quickstart: stream a stateless run of the `agent` graph, one update per node.

LANGGRAPH_URL=http://127.0.0.1:2024 python examples/quickstart_stream.py
"""

from __future__ import annotations

import asyncio
import os

from langgraph_client import get_client


async def main() -> None:
    url = os.environ.get("LANGGRAPH_URL", "http://127.0.0.1:2024")
    inp = {"messages": [{"role": "user", "content": "Hello! My name is Bagatur."}]}
    async with get_client(url=url) as client:
        stream = client.runs.stream(None, "agent", input=inp, stream_mode="updates")
        async with stream:  # closes the connection even if the loop stops early
            async for chunk in stream:
                if chunk.data and "run_id" not in chunk.data:
                    print(chunk.event, chunk.data)


if __name__ == "__main__":
    asyncio.run(main())
