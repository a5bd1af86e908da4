"""`langgraph_client.testing` exports what its docs use, and nothing private."""

from __future__ import annotations

import langgraph_client.testing as testing


def test_all_lists_the_public_names() -> None:
    public = {name for name in vars(testing) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(testing, name)).__name__ == "module"}
    assert set(testing.__all__) == public - modules - {"annotations"}
    for name in testing.__all__:
        assert getattr(testing, name) is not None


def test_the_names_the_docs_use() -> None:
    wanted = {"FakeAgentServer", "Pause", "RecordedRun", "RecordedRequest", "message_chunks"}
    assert wanted | {"AgentServer", "running_server"} <= set(testing.__all__)
