"""Lines users write most. Never run: `test_user_types.py` type-checks this file with pyright and
mypy --strict, and neither may report an error. Each block pins one former false error."""

from __future__ import annotations

import uuid
from typing import Any

from langgraph_client import get_client, get_sync_client


async def async_lines(thread_id: str) -> None:
    client = get_client(url="http://127.0.0.1:2024")
    inp = {"messages": [{"role": "user", "content": "hi"}]}

    # The final state, indexed at once (was: `list | dict` has no `__getitem__(str)`).
    messages = (await client.runs.wait(None, "agent", input=inp))["messages"]
    print(messages[-1]["content"])

    # A thread's state values, indexed at once.
    state = await client.threads.get_state(thread_id)
    print(state["values"]["messages"][-1])

    # A list of stream modes kept in a variable (was: `list[str]` is not `Sequence[StreamMode]`).
    modes = ["updates", "custom"]
    async with client.runs.stream(thread_id, "agent", input=inp, stream_mode=modes) as stream:
        async for part in stream:
            print(part.event, part.data)
    async with client.runs.stream(None, "agent", input=inp, stream_mode=("values",)) as stream:
        pass

    # A resume command kept in a variable (was: `dict[str, str]` is not `Command`).
    resume = {"resume": "yes"}
    result = await client.runs.wait(thread_id, "agent", command=resume)
    print(result["messages"])
    await client.runs.create(thread_id, "agent", command=resume)

    # UUIDs as ids (was: `UUID` is not `str`).
    thread_uuid = uuid.uuid4()
    run_uuid = uuid.uuid4()
    await client.threads.get(thread_uuid)
    await client.runs.wait(thread_uuid, "agent", input=inp)
    await client.runs.get(thread_uuid, run_uuid)
    await client.runs.join(thread_uuid, run_uuid)
    await client.threads.get_state(thread_uuid)

    # Run options by name, everywhere they are taken.
    config: dict[str, Any] = {"configurable": {"user": "u1"}}
    await client.runs.create(None, "agent", input=inp, config=config, stream_resumable=True)
    await client.crons.create("agent", schedule="0 9 * * *", input=inp)
    await client.aclose()


def sync_lines(thread_id: str) -> None:
    inp = {"messages": [{"role": "user", "content": "hi"}]}
    with get_sync_client(url="http://127.0.0.1:2024") as client:
        print(client.runs.wait(None, "agent", input=inp)["messages"])
        print(client.threads.get_state(thread_id)["values"]["messages"])
        modes = ["updates", "custom"]
        with client.runs.stream(thread_id, "agent", input=inp, stream_mode=modes) as stream:
            for part in stream:
                print(part.event, part.data)
        resume = {"resume": "yes"}
        client.runs.wait(thread_id, "agent", command=resume)
        thread_uuid = uuid.uuid4()
        client.runs.wait(thread_uuid, "agent", input=inp)
        client.runs.get(thread_uuid, uuid.uuid4())
        client.threads.get(thread_uuid)
