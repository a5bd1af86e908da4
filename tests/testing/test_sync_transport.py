"""The sync transport, through a plain `httpx.Client` (what the sync client is given)."""

from __future__ import annotations

import time

import httpx
import pytest

from langgraph_client.testing import FakeAgentServer

BODY = {"assistant_id": "agent", "stream_mode": "custom", "stream_resumable": True}


@pytest.fixture
def fake() -> FakeAgentServer:
    fake = FakeAgentServer()
    fake.add_assistant("agent")
    fake.on_run("agent", events=[("custom", {"i": i}) for i in range(3)], interval=0.1)
    return fake


def test_stream_arrives_chunk_by_chunk(fake: FakeAgentServer) -> None:
    arrivals = []
    start = time.monotonic()  # before the run exists: its events cannot come earlier
    with fake.client() as http, http.stream("POST", "/runs/stream", json=BODY) as response:
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        chunks = []
        for chunk in response.iter_raw():
            arrivals.append(time.monotonic() - start)
            chunks.append(chunk)
    assert [c.split(b"\r\n")[0] for c in chunks] == [b"event: metadata"] + [b"event: custom"] * 3
    # The events came as they happened: never early, and the first long before the last.
    assert all(at >= 0.1 * i - 0.001 for i, at in enumerate(arrivals)), arrivals
    assert arrivals[0] < 0.2, arrivals


def test_wait_and_join(fake: FakeAgentServer) -> None:
    fake.on_run("other", result={"v": 1})
    fake.add_assistant("other")
    with fake.client() as http:
        response = http.post("/runs/wait", json={"assistant_id": "other"})
        assert response.json() == {"v": 1}
        thread_id, run_id = response.headers["content-location"].split("/")[2::2]
        joined = http.get(f"/threads/{thread_id}/runs/{run_id}/join")
    # The stateless run's temporary thread is gone: the join answers like the server does.
    assert joined.json() == {
        "__error__": {"error": "HTTPException", "message": "404: Run not found"}
    }


def test_drop_breaks_the_read_after_n_events(fake: FakeAgentServer) -> None:
    fake.drop(after_events=2)
    got = []
    with (
        fake.client() as http,
        pytest.raises(httpx.RemoteProtocolError),
        http.stream("POST", "/runs/stream", json=BODY) as response,
    ):
        for chunk in response.iter_raw():
            got.append(chunk)
    assert len(got) == 2


def test_stall_past_the_read_timeout_times_out(fake: FakeAgentServer) -> None:
    fake.stall(5, after_events=1)
    start = time.monotonic()
    with (
        fake.client(timeout=httpx.Timeout(5, read=0.2)) as http,
        pytest.raises(httpx.ReadTimeout),
        http.stream("POST", "/runs/stream", json=BODY) as response,
    ):
        for _ in response.iter_raw():
            pass
    assert 0.15 < time.monotonic() - start < 2


def test_closing_early_cancels_only_when_asked(fake: FakeAgentServer) -> None:
    fake.on_run("slow", events=[("custom", {"i": i}) for i in range(100)], interval=0.05)
    fake.add_assistant("slow")
    thread_id = fake.add_thread()["thread_id"]
    url = f"/threads/{thread_id}/runs/stream"
    with fake.client() as http:
        body = {**BODY, "assistant_id": "slow"}  # on_disconnect defaults to "continue"
        with http.stream("POST", url, json=body) as response:
            next(response.iter_raw())
        assert fake.runs[0]["status"] == "running"
        http.post(f"/threads/{thread_id}/runs/{fake.runs[0]['run_id']}/cancel")
        with http.stream("POST", url, json={**body, "on_disconnect": "cancel"}) as response:
            next(response.iter_raw())
    assert [r["status"] for r in fake.runs] == ["interrupted", "interrupted"]
