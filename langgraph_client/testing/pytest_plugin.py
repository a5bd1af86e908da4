"""pytest fixtures for apps built on `langgraph_client` (registered as the `langgraph_client`
plugin through the `pytest11` entry point).

Inert unless used: the plugin only defines fixtures and two ini keys, and runs nothing until a
test asks for a fixture. Disable it with `-p no:langgraph_client`.

- `fake_agent_server`: a fresh `FakeAgentServer` per test.
- `agent_server`: the base URL of a real in-memory Agent Server, started once per session from
  your `langgraph.json` on a free port of 127.0.0.1 (needs `langgraph-client[server]`; skips
  with a message naming that extra when it is not installed). Settings (ini or `pyproject.toml`
  `[tool.pytest.ini_options]`): `langgraph_config`, the folder holding `langgraph.json` or the
  file itself (default: the rootdir); `langgraph_cli`, the `langgraph` executable (default:
  the one installed beside this interpreter). `LANGGRAPH_TEST_SERVER_URL` in the environment
  points the fixture at a server you started yourself instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._fake import FakeAgentServer
from ._server import INSTALL_HINT, AgentServer, ServerError, find_langgraph

__all__ = ["agent_server", "fake_agent_server"]

EXTERNAL_URL_ENV = "LANGGRAPH_TEST_SERVER_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "langgraph_config",
        "agent_server fixture: folder holding langgraph.json, or the file (default: rootdir)",
        default="",
    )
    parser.addini(
        "langgraph_cli",
        "agent_server fixture: the `langgraph` executable (default: beside the interpreter)",
        default="",
    )


@pytest.fixture
def fake_agent_server() -> FakeAgentServer:
    """A fresh `FakeAgentServer`: `get_client(http_client=fake_agent_server.async_client())`."""
    return FakeAgentServer()


def _config_dir(config: pytest.Config) -> Path:
    value = str(config.getini("langgraph_config") or "")
    where = Path(value) if value else config.rootpath
    if not where.is_absolute():
        where = config.rootpath / where
    return where.parent if where.name == "langgraph.json" else where


@pytest.fixture(scope="session")
def agent_server(pytestconfig: pytest.Config) -> Iterator[str]:
    """Base URL (`http://127.0.0.1:PORT`) of a real in-memory Agent Server serving your graphs,
    shared by the session. Skips when `langgraph-cli[inmem]` is not installed."""
    external = os.environ.get(EXTERNAL_URL_ENV)
    if external:
        yield external.rstrip("/")
        return
    cli = str(pytestconfig.getini("langgraph_cli") or "") or find_langgraph()
    if not cli:
        pytest.skip(f"the agent_server fixture needs langgraph-cli[inmem]: {INSTALL_HINT}")
    folder = _config_dir(pytestconfig)
    if not (folder / "langgraph.json").is_file():
        pytest.fail(
            f"agent_server: no langgraph.json in {folder} (set the langgraph_config ini key)",
            pytrace=False,
        )
    server = AgentServer(folder, langgraph_bin=cli)
    try:
        url = server.start()
    except ServerError as exc:
        pytest.fail(f"agent_server: could not start the Agent Server: {exc}", pytrace=False)
    try:
        yield url
    finally:
        server.stop()
