"""Integration tests run against the real in-memory Agent Server (``tests/server/``).

``server_url`` (session scope) starts one server for the whole session through
``scripts/agent_server.py`` and stops it at the end. If it cannot start, every test that uses
it errors with the server's log tail: never a silent skip.

Set ``LANGGRAPH_TEST_SERVER_URL`` to use a server you started yourself instead, e.g. with
``python scripts/agent_server.py serve --config-dir tests/server``.

Every test collected from this folder is marked ``integration``: ``pytest -m "not integration"``
runs the rest.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SERVER_CONFIG_DIR = REPO / "tests" / "server"


def _load_agent_server() -> ModuleType:
    name = "_agent_server_script"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "agent_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


agent_server = _load_agent_server()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a real Agent Server serving ``tests/server``."""
    external = os.environ.get("LANGGRAPH_TEST_SERVER_URL")
    if external:
        yield external.rstrip("/")
        return
    # The `inprocess` test graph imports this checkout's langgraph_client inside the server.
    os.environ.setdefault("LANGGRAPH_CLIENT_SOURCE", str(REPO))
    server = agent_server.AgentServer(SERVER_CONFIG_DIR)
    try:
        url: str = server.start()
    except agent_server.ServerError as exc:
        pytest.fail(f"could not start the Agent Server: {exc}", pytrace=False)
    try:
        yield url
    finally:
        server.stop()
