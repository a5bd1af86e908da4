"""Test helpers for code built on `langgraph_client`: a fake Agent Server, and a real one.

    from langgraph_client import get_client
    from langgraph_client.testing import FakeAgentServer

    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", events=[("updates", {"respond": {"text": "hi"}})], result={"text": "hi"})
    async with get_client(url="http://agent.test", http_client=fake.async_client()) as client:
        ...
    assert fake.runs[0]["input"] == {...}

The pytest fixtures (`fake_agent_server`, `agent_server`) are in `langgraph_client.testing.
pytest_plugin`; see docs/testing.md.
"""

from ._fake import FakeAgentServer
from ._script import (
    UNSET,
    Event,
    Pause,
    RecordedRequest,
    RecordedRun,
    Script,
    message_chunks,
)
from ._server import AgentServer, ServerError, running_server
from ._transport import AsyncFakeTransport, FakeTransport

__all__ = [
    "UNSET",
    "AgentServer",
    "AsyncFakeTransport",
    "Event",
    "FakeAgentServer",
    "FakeTransport",
    "Pause",
    "RecordedRequest",
    "RecordedRun",
    "Script",
    "ServerError",
    "message_chunks",
    "running_server",
]
