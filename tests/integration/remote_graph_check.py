"""langgraph's `RemoteGraph` driven by this package's sync client, against a real server.

Run by `test_sync_client.py` with the server's interpreter (where langgraph is installed) and
this repository on PYTHONPATH:

    .venv-server/bin/python tests/integration/remote_graph_check.py http://127.0.0.1:PORT

Each check asserts; the script prints one JSON line naming the checks that passed.
"""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

from langgraph.pregel.remote import RemoteGraph

import langgraph_client
from langgraph_client import SyncLangGraphClient, get_sync_client


def msg(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


def main(url: str) -> None:
    assert langgraph_client.__file__ and "site-packages" not in langgraph_client.__file__
    client = get_sync_client(url=url, api_key=None)
    assert isinstance(client, SyncLangGraphClient)
    agent = RemoteGraph("agent", url=url, sync_client=client)
    nested = RemoteGraph("nested", url=url, sync_client=client)
    assert agent.sync_client is client  # ours, not a default one
    passed: list[str] = []
    config: Any = {"configurable": {"thread_id": str(uuid.uuid4())}}

    result = agent.invoke(msg("hi"), config)
    assert result["messages"][-1] == {"role": "assistant", "content": "echo: hi"}, result
    passed.append("invoke")

    updates = list(agent.stream(msg("two"), config, stream_mode="updates"))
    assert [next(iter(u)) for u in updates] == ["prepare", "respond"], updates
    assert updates[-1]["respond"]["messages"][-1]["content"] == "echo: two"
    passed.append("stream updates")

    values = list(agent.stream(msg("three"), config, stream_mode="values"))
    assert values[-1]["messages"][-1]["content"] == "echo: three", values[-1]
    passed.append("stream values")

    # Several modes: each item is the stream part itself, `(event, data, id)` as in the SDK.
    modes = list(agent.stream(msg("four"), config, stream_mode=["updates", "custom"]))
    assert all(isinstance(part, langgraph_client.StreamPart) for part in modes), modes
    assert {part.event for part in modes} == {"updates", "custom"}, modes
    assert ("custom", {"node": "prepare", "count": 4}) in [(p.event, p.data) for p in modes]
    passed.append("stream several modes")

    sub = list(nested.stream(msg("deep"), stream_mode="updates", subgraphs=True))
    namespaces = {ns for ns, _ in sub}
    assert () in namespaces and any(ns and ns[0].startswith("inner:") for ns in namespaces), sub
    assert any(chunk.get("inner_step") == {"reply": "echo: deep"} for _, chunk in sub), sub
    passed.append("stream subgraphs")

    state = agent.get_state(config)
    assert state.values["count"] == 4 and len(state.values["messages"]) == 8, state.values
    assert state.next == ()
    passed.append("get_state")

    new_config = agent.update_state(
        config, {"messages": [{"role": "assistant", "content": "edited"}]}, as_node="respond"
    )
    assert new_config["configurable"]["checkpoint_id"], new_config
    after = agent.get_state(config)
    assert after.values["messages"][-1] == {"role": "assistant", "content": "edited"}
    passed.append("update_state")

    history = list(agent.get_state_history(config, limit=5))
    assert len(history) == 5, len(history)
    assert history[0].values["messages"][-1]["content"] == "edited"
    ids = [h.config["configurable"]["checkpoint_id"] for h in history]
    assert len(set(ids)) == 5
    older = list(agent.get_state_history(config, limit=2, before=history[1].config))
    assert [h.config["configurable"]["checkpoint_id"] for h in older] == ids[2:4]
    passed.append("get_state_history")

    client.close()
    print(json.dumps({"passed": passed}))


if __name__ == "__main__":
    main(sys.argv[1])
