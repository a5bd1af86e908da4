"""Tests of examples/relay_app.py with `langgraph_client.testing`: no server, no network.

`fake_agent_server` is the fixture of the `langgraph_client` pytest plugin (installed with the
package). Run with `pytest examples/test_relay_app.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from relay_app import approve_and_resume, make_app, relay_tokens, submit_with_retry

from langgraph_client import Client, RateLimitError, RunFailedError, get_client
from langgraph_client.testing import FakeAgentServer, message_chunks


@pytest.fixture
async def client(fake_agent_server: FakeAgentServer) -> AsyncIterator[Client]:
    fake_agent_server.add_assistant("agent")
    fake_agent_server.add_assistant("chat")
    async with fake_agent_server.async_client() as http:
        yield get_client(url="http://agent.test", http_client=http, api_key=None)


async def test_the_app_relays_the_reply_token_by_token(
    fake_agent_server: FakeAgentServer, client: Client
) -> None:
    fake_agent_server.on_run("chat", events=message_chunks(["echo:", " ", "hello"]))
    app = httpx.ASGITransport(app=make_app(client))
    async with httpx.AsyncClient(transport=app, base_url="http://app") as browser:
        response = await browser.post("/chat", json={"text": "hello"})
    assert response.text == "echo: hello"
    (run,) = fake_agent_server.runs
    assert run["input"] == {"messages": [{"role": "user", "content": "hello"}]}
    assert run["thread_id"] == response.headers["x-thread-id"]
    assert run["stream_mode"] == ["messages-tuple"]


async def test_tokens_arrive_as_the_graph_makes_them(
    fake_agent_server: FakeAgentServer, client: Client
) -> None:
    fake_agent_server.on_run("chat", events=message_chunks(["a", "b", "c"]), interval=0.3)
    thread_id = fake_agent_server.add_thread()["thread_id"]
    got = []
    async for token in relay_tokens(client, thread_id, "hi"):
        got.append((token, fake_agent_server.runs[0]["status"]))
    assert [token for token, _ in got] == ["a", "b", "c"]
    # The first token was relayed while the run was still going: nothing waited for its end.
    assert got[0][1] == "running"


async def test_a_failed_run_ends_the_relay_with_an_error(
    fake_agent_server: FakeAgentServer, client: Client
) -> None:
    fake_agent_server.on_run("chat", events=message_chunks(["par"]), error=ValueError("boom"))
    thread_id = fake_agent_server.add_thread()["thread_id"]
    got = []
    with pytest.raises(RunFailedError, match="boom"):
        async for token in relay_tokens(client, thread_id, "hi"):
            got.append(token)
    assert got == ["par"]


async def test_the_bot_resumes_an_interrupt_with_the_answer(
    fake_agent_server: FakeAgentServer, client: Client
) -> None:
    fake_agent_server.on_run("agent", interrupt={"question": "approve?"}, times=1)
    fake_agent_server.on_run("agent", result={"reply": "done"})
    thread_id = fake_agent_server.add_thread()["thread_id"]
    asked = []

    def decide(value: object) -> str:
        asked.append(value)
        return "yes"

    assert await approve_and_resume(client, thread_id, "ship it", decide) == {"reply": "done"}
    assert asked == [{"question": "approve?"}]
    assert [run["command"] for run in fake_agent_server.runs] == [None, {"resume": "yes"}]
    assert fake_agent_server.thread(thread_id)["status"] == "idle"


async def test_submit_retries_as_the_server_asks(
    fake_agent_server: FakeAgentServer, client: Client
) -> None:
    fake_agent_server.on_run("agent", result={})
    fake_agent_server.fail(429, method="POST", path="/runs", retry_after=2, times=1)
    fake_agent_server.fail(503, method="POST", path="/runs", retry_after=0.5, times=1)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    run = await submit_with_retry(client, "hi", sleep=sleep)
    assert waited == [2.0, 0.5]
    assert [r.status for r in fake_agent_server.requests] == [429, 503, 200]
    assert [r["run_id"] for r in fake_agent_server.runs] == [run["run_id"]]


async def test_submit_gives_up_after_its_attempts(
    fake_agent_server: FakeAgentServer, client: Client
) -> None:
    fake_agent_server.on_run("agent", result={})
    fake_agent_server.fail(429, path="/runs", retry_after=0, times=None)

    async def sleep(seconds: float) -> None:
        pass

    with pytest.raises(RateLimitError):
        await submit_with_retry(client, "hi", attempts=3, sleep=sleep)
    assert len(fake_agent_server.requests) == 3 and fake_agent_server.runs == []
