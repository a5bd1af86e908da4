"""Quickstart, sync: wait for a run, then stream one, with no `async` anywhere.

LANGGRAPH_URL=http://127.0.0.1:2024 python examples/quickstart_sync.py
"""

from __future__ import annotations

import os

from langgraph_client import get_sync_client


def main() -> None:
    url = os.environ.get("LANGGRAPH_URL", "http://127.0.0.1:2024")
    inp = {"messages": [{"role": "user", "content": "hi"}]}
    with get_sync_client(url=url) as client:
        result = client.runs.wait(None, "agent", input=inp)
        print("waited:", result)
        with client.runs.stream(None, "agent", input=inp, stream_mode="updates") as stream:
            for chunk in stream:  # leaving the `with` closes the connection, even on `break`
                if chunk.event == "updates":
                    print(chunk.event, chunk.data)


if __name__ == "__main__":
    main()
