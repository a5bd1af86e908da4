"""The server fixture and the test graphs themselves, checked with plain httpx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture(scope="module")
def http(server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server_url, timeout=30) as client:
        yield client


def user(text: str, **switches: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}], **switches}


def sse_events(body: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a whole SSE body; good enough for this server's framing."""
    events: list[tuple[str, str]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "event" in fields:
            events.append((fields["event"], fields.get("data", "")))
    return events


def test_ok(http: httpx.Client) -> None:
    response = http.get("/ok")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_info(http: httpx.Client) -> None:
    response = http.get("/info")
    assert response.status_code == 200
    assert "version" in response.json()


def test_graphs_registered(http: httpx.Client) -> None:
    assistants = http.post("/assistants/search", json={"limit": 100}).json()
    assert {a["graph_id"] for a in assistants} >= {"agent", "nested", "chat"}


def test_stateless_wait_echoes(http: httpx.Client) -> None:
    response = http.post("/runs/wait", json={"assistant_id": "agent", "input": user("hi")})
    assert response.status_code == 200
    assert response.json() == {
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "echo: hi"},
        ],
        "count": 1,
    }


def test_fail_switch(http: httpx.Client) -> None:
    body = {"assistant_id": "agent", "input": user("x", fail=True)}
    response = http.post("/runs/wait", json=body)
    assert response.status_code == 200
    assert response.json() == {"__error__": {"error": "ValueError", "message": "boom"}}


def test_interrupt_switch_and_resume(http: httpx.Client) -> None:
    tid = http.post("/threads", json={}).json()["thread_id"]
    body = {"assistant_id": "agent", "input": user("ask", interrupt=True)}
    paused = http.post(f"/threads/{tid}/runs/wait", json=body).json()
    assert paused["__interrupt__"][0]["value"] == {"question": "approve?", "text": "ask"}
    body = {"assistant_id": "agent", "command": {"resume": "yes"}}
    done = http.post(f"/threads/{tid}/runs/wait", json=body).json()
    assert done["messages"][-1] == {"role": "assistant", "content": "echo: ask (resume: yes)"}
    # Switches are ephemeral: the next run on the thread neither pauses nor fails.
    body = {"assistant_id": "agent", "input": user("b")}
    again = http.post(f"/threads/{tid}/runs/wait", json=body).json()
    assert again["messages"][-1] == {"role": "assistant", "content": "echo: b"}
    assert again["count"] == 2


def test_stream_updates_and_chunks(http: httpx.Client) -> None:
    body = {
        "assistant_id": "agent",
        "input": user("hi", chunks=3, chunk_delay=0),
        "stream_mode": ["updates", "custom"],
    }
    response = http.post("/runs/stream", json=body)
    assert response.status_code == 200
    events = sse_events(response.text)
    assert [name for name, _ in events] == ["metadata"] + ["custom"] * 4 + ["updates"] * 2
    assert events[1][1] == '{"chunk":0,"of":3}'
    assert events[-1][1] == '{"respond":{"messages":[{"role":"assistant","content":"echo: hi"}]}}'


def test_nested_subgraph_events_are_namespaced(http: httpx.Client) -> None:
    body = {
        "assistant_id": "nested",
        "input": user("deep"),
        "stream_mode": "updates",
        "stream_subgraphs": True,
    }
    names = [name for name, _ in sse_events(http.post("/runs/stream", json=body).text)]
    assert names[0] == "metadata"
    assert any(name.startswith("updates|inner:") for name in names)


def test_chat_streams_tokens(http: httpx.Client) -> None:
    body = {"assistant_id": "chat", "input": user("hello there"), "stream_mode": "messages-tuple"}
    events = sse_events(http.post("/runs/stream", json=body).text)
    tokens = [name for name, _ in events if name == "messages"]
    assert len(tokens) >= 3
