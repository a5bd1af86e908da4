"""Quickstart: run the `agent` graph statelessly and wait for its final state.

Run: `LANGGRAPH_URL=http://127.0.0.1:2024 python examples/quickstart_wait.py`
"""

from __future__ import annotations

import asyncio
import os

from langgraph_client import get_client


async def main() -> None:
    url = os.environ.get("LANGGRAPH_URL", "http://127.0.0.1:2024")
    async with get_client(url=url) as client:
        result = await client.runs.wait(
            None,  # no thread: a stateless run
            "agent",
            input={"messages": [{"role": "user", "content": "hi"}]},
            on_run_created=lambda run: print("run created:", run["run_id"]),
        )
        print("result:", result)


if __name__ == "__main__":
    asyncio.run(main())
