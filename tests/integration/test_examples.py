"""The quickstart scripts in examples/, run as a user would, against a real Agent Server serving
the example graph (examples/langgraph.json): what `scripts/demo` does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO, agent_server

EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def example_server_url() -> Iterator[str]:
    server = agent_server.AgentServer(EXAMPLES)
    try:
        url: str = server.start()
    except agent_server.ServerError as exc:
        pytest.fail(f"could not start the Agent Server for examples/: {exc}", pytrace=False)
    try:
        yield url
    finally:
        server.stop()


def run_example(script: Path, url: str) -> str:
    env = {**os.environ, "LANGGRAPH_URL": url}
    for name in ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart_wait(example_server_url: str) -> None:
    out = run_example(EXAMPLES / "quickstart_wait.py", example_server_url)
    lines = out.splitlines()
    assert lines[0].startswith("run created: ") and len(lines[0].split()[-1]) == 36
    assert "'content': 'echo: hi'" in lines[1] and "'turns': 1" in lines[1]


def test_quickstart_stream(example_server_url: str) -> None:
    out = run_example(EXAMPLES / "quickstart_stream.py", example_server_url)
    assert out.splitlines() == [
        "updates {'think': {'turns': 1}}",
        "updates {'respond': {'messages': [{'role': 'assistant', "
        "'content': 'echo: Hello! My name is Bagatur.'}]}}",
    ]


def test_typed_usage(example_server_url: str) -> None:
    out = run_example(EXAMPLES / "typed_usage.py", example_server_url)
    lines = out.splitlines()
    assert lines[0] == "reply: echo: hi"
    assert lines[1].startswith("streamed events: ['metadata', 'custom', 'updates', 'updates']")
    assert lines[2] == "turns in state: 2"
    assert lines[3] == "runs on the thread: ['success', 'success'] status: 200"
    assert lines[4] == (
        "v2 parts: ['metadata(attempt 1)', 'values(5 messages)', 'custom', 'values(5 messages)',"
        " 'values(6 messages)']"
    )
    assert lines[-4] == "deleted: 404"
    assert lines[-3] == "stored: {'theme': 'dark'}"
    assert lines[-2] == "assistants for 'agent': 1"


def test_quickstart_sync(example_server_url: str) -> None:
    out = run_example(EXAMPLES / "quickstart_sync.py", example_server_url)
    lines = out.splitlines()
    assert lines[0].startswith("waited: {") and "'content': 'echo: hi'" in lines[0]
    assert lines[1:] == [
        "updates {'think': {'turns': 1}}",
        "updates {'respond': {'messages': [{'role': 'assistant', 'content': 'echo: hi'}]}}",
    ]


def test_quickstart_thread_stream(example_server_url: str) -> None:
    out = run_example(EXAMPLES / "quickstart_thread_stream.py", example_server_url)
    assert out.splitlines() == [
        "state: hi",
        "state: hi",
        "state: echo: hi",
        "turns: 1",
        "state: how are you?",
        "state: how are you?",
        "state: echo: how are you?",
        "turns: 2",
    ]
