"""Quickstart: one streaming session on a thread, two runs, states as they come.

LANGGRAPH_URL=http://127.0.0.1:2024 python examples/quickstart_thread_stream.py
"""

from __future__ import annotations

import asyncio
import os

from langgraph_client import get_client


async def main() -> None:
    url = os.environ.get("LANGGRAPH_URL", "http://127.0.0.1:2024")
    client = get_client(url=url)
    async with client, client.threads.stream(assistant_id="agent") as thread:
        for text in ("hi", "how are you?"):
            await thread.run.start(input={"messages": [{"role": "user", "content": text}]})
            async for state in thread.values:  # ends when the run does
                print("state:", state["messages"][-1]["content"])
            output = await thread.output  # this run's final state
            print("turns:", output["turns"])


if __name__ == "__main__":
    asyncio.run(main())
