"""The `agent_server` fixture of the pytest plugin starting a real server from a langgraph.json,
in a fresh pytest session as a user's suite would use it."""

from __future__ import annotations

import socket

import httpx
import pytest

from langgraph_client.testing import pytest_plugin

from .conftest import REPO, SERVER_CONFIG_DIR

pytest_plugins = ["pytester"]

USER_TEST = """
import httpx

def test_real(agent_server):
    assert agent_server.startswith("http://127.0.0.1:")
    with open("url.txt", "w") as f:
        f.write(agent_server)
    body = {"assistant_id": "agent", "input": {"messages": [{"role": "user", "content": "hi"}]}}
    result = httpx.post(agent_server + "/runs/wait", json=body, timeout=30).json()
    assert result["messages"][-1]["content"] == "echo: hi"
"""


def test_agent_server_fixture_serves_the_users_graphs_and_stops(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pytest_plugin.EXTERNAL_URL_ENV, raising=False)
    pytester.makeini(
        "[pytest]\n"
        f"langgraph_cli = {REPO / '.venv-server' / 'bin' / 'langgraph'}\n"
        f"langgraph_config = {SERVER_CONFIG_DIR / 'langgraph.json'}\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(USER_TEST)
    pytester.runpytest().assert_outcomes(passed=1)
    url = httpx.URL((pytester.path / "url.txt").read_text())
    # Stopped at the end of the session. (A raw socket: the in-process session swapped
    # modules that httpx's own error mapping uses.)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((url.host, url.port or 80), timeout=5).close()
