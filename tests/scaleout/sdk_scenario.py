"""One scenario with the official `langgraph_sdk`, for comparison only (never a test verdict).

Run by the trial with the server venv's Python, which has ``langgraph-sdk==0.4.14`` (the
client's own venv never installs it)::

    python sdk_scenario.py URL SCENARIO INPUT_JSON

Prints one JSON object a line: ``{"thread": thread_id}``, then ``{"part": [event, id, data]}`` for
each stream part, then ``{"result": ...}`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from langgraph_sdk import get_client


def emit(**message: Any) -> None:
    print(json.dumps(message), flush=True)


async def main(url: str, scenario: str, run_input: dict[str, Any]) -> None:
    client = get_client(url=url, api_key=None)
    thread = await client.threads.create()
    tid = thread["thread_id"]
    emit(thread=tid)
    common: dict[str, Any] = {"input": run_input, "stream_mode": "custom", "stream_resumable": True}
    if scenario == "stream":
        async for part in client.runs.stream(tid, "ticker", on_disconnect="continue", **common):
            emit(part=[part.event, part.id, part.data])
        emit(result=None)
    elif scenario == "wait":
        # The SDK's wait takes neither stream_mode nor stream_resumable.
        emit(
            result=await client.runs.wait(tid, "ticker", input=run_input, on_disconnect="continue")
        )
    else:
        run = await client.runs.create(tid, "ticker", **common)
        if scenario == "join":
            emit(result=await client.runs.join(tid, run["run_id"]))
        else:
            async for part in client.runs.join_stream(tid, run["run_id"], last_event_id="-1"):
                emit(part=[part.event, part.id, part.data])
            emit(result=None)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
    except Exception as exc:
        emit(error=f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:500])
