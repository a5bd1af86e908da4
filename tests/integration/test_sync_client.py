"""What only the sync client has, against the real server: one client shared by 8 threads,
calls from inside a running event loop, a notebook run in a real Jupyter kernel, and langgraph's
`RemoteGraph` driven by it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langgraph_client import NotFoundError, StreamPart, SyncClient, get_sync_client

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "sync_client.ipynb"


def msg(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


@pytest.fixture
def client(server_url: str) -> Iterator[SyncClient]:
    with get_sync_client(url=server_url, api_key=None) as c:
        yield c


def test_one_client_shared_by_eight_threads(client: SyncClient) -> None:
    results: dict[int, Any] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(i: int) -> None:
        try:
            start.wait(10)  # all eight at once
            thread_id = client.threads.create(metadata={"worker": i})["thread_id"]
            waited = client.runs.wait(thread_id, "agent", input=msg(f"w{i}"))
            with client.runs.stream(
                thread_id, "agent", input=msg(f"s{i}"), stream_mode="updates"
            ) as stream:
                parts = list(stream)
            state = client.threads.get_state(thread_id)
            results[i] = (waited, parts, state)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    assert sorted(results) == list(range(8))
    for i, (waited, parts, state) in results.items():
        assert waited["messages"][-1]["content"] == f"echo: w{i}"
        assert [p.event for p in parts] == ["metadata", "updates", "updates"]
        assert parts[-1].data["respond"]["messages"][-1]["content"] == f"echo: s{i}"
        assert state["values"]["count"] == 2  # each thread saw its own two runs only


async def test_called_from_inside_a_running_event_loop(server_url: str) -> None:
    """Sync code called from async code (a notebook cell, a framework's sync hook): blocking,
    but correct, where running an event loop of its own would fail on the running one."""
    asyncio.get_running_loop()
    with get_sync_client(url=server_url, api_key=None) as client:
        result = client.runs.wait(None, "agent", input=msg("loop"))
        assert result["messages"][-1]["content"] == "echo: loop"
        with client.runs.stream(None, "agent", input=msg("loop"), stream_mode="values") as s:
            parts = list(s)
        assert all(isinstance(p, StreamPart) for p in parts)
        assert parts[-1].data["messages"][-1]["content"] == "echo: loop"
        with pytest.raises(NotFoundError):
            client.threads.get(str(uuid.uuid4()))


def test_one_module_level_client_across_several_event_loops(client: SyncClient) -> None:
    """The workaround the issue saw fail (a module-level client under `asyncio.run`, twice)
    is not needed: the sync client does not care which loop, if any, is running."""

    async def in_a_loop() -> Any:
        return client.runs.wait(None, "agent", input=msg("again"))

    for _ in range(2):
        assert asyncio.run(in_a_loop())["messages"][-1]["content"] == "echo: again"


def test_notebook_in_a_real_jupyter_kernel(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("LANGGRAPH_URL", server_url)  # the kernel inherits the environment
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()

    def output(tag: str) -> str:
        (cell,) = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
        (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        return str(result["data"]["text/plain"])

    assert output("health") == "{'ok': True, 'services': {}}"
    assert output("wait") == "'echo: hi'"
    assert (
        output("stream")
        == "[('metadata', None), ('updates', ['prepare']), ('updates', ['respond'])]"
    )
    assert output("again") == "2"
    assert output("loop") == "True"  # the cells ran inside the kernel's running event loop


def test_remote_graph_with_the_sync_client(server_url: str) -> None:
    """langgraph's `RemoteGraph(..., sync_client=get_sync_client(...))`: invoke, stream (several
    modes, subgraphs), get_state, update_state, get_state_history. langgraph lives in the
    server's venv, so the check runs there, importing this checkout."""
    python = REPO / ".venv-server" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        env.pop(name, None)
    done = subprocess.run(
        [str(python), str(REPO / "tests" / "integration" / "remote_graph_check.py"), server_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "passed": [
            "invoke",
            "stream updates",
            "stream values",
            "stream several modes",
            "stream subgraphs",
            "get_state",
            "update_state",
            "get_state_history",
        ]
    }
